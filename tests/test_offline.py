"""The check that a page loads nothing from outside itself."""

from __future__ import annotations

import pytest

from dangjian_analysis.briefs.build import BriefBuildError, build_briefs
from dangjian_analysis.briefs.offline import external_resources, is_embedded

from conftest import KEY_FINDINGS, LIMITS, PARAMETERS, TINY_PNG, copy_data, write_notebook

DATA_PNG = f"data:image/png;base64,{TINY_PNG}"

CDN_PAGE = """<!DOCTYPE html><html lang="en"><head>
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
</head><body><p>Hello</p></body></html>"""


def test_cdn_script_is_reported():
    assert external_resources(CDN_PAGE) == [
        "<script src>: 'https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js'"
    ]


@pytest.mark.parametrize(
    ("html", "where"),
    [
        ('<link rel="stylesheet" href="http://example.org/a.css">', "<link href>"),
        ('<link rel="icon" href="//example.org/favicon.ico">', "<link href>"),
        ('<img src="//example.org/x.png">', "<img src>"),
        ('<img src="figure.png">', "<img src>"),
        ('<img src="file:///home/me/figure.png">', "<img src>"),
        ('<script src=""></script>', "<script src>"),
        (
            '<img srcset="data:image/png;base64,AAA 1x, https://example.org/x.png 2x">',
            "<img srcset>",
        ),
        ('<iframe src="https://example.org/embed"></iframe>', "<iframe src>"),
        ('<video poster="https://example.org/p.jpg"></video>', "<video poster>"),
        ('<object data="https://example.org/doc.pdf"></object>', "<object data>"),
        ('<svg><image href="https://example.org/x.png"/></svg>', "<image href>"),
        ('<svg><use xlink:href="https://example.org/s.svg#i"/></svg>', "<use xlink:href>"),
        ('<div style="background: url(https://example.org/bg.png)"></div>', "<div style>"),
        ("<style>@import 'https://example.org/font.css';</style>", "<style>"),
        ('<style>@import url("//fonts.example.org/css");</style>', "<style>"),
        ("<style>p { background: URL( 'https://example.org/bg.png' ) }</style>", "<style>"),
        ('<body background="https://example.org/bg.png"></body>', "<body background>"),
        ('<base href="https://example.org/">', "<base href>"),
    ],
)
def test_resources_from_outside_are_reported(html, where):
    found = external_resources(html)
    assert len(found) == 1, found
    assert found[0].startswith(f"{where}: ")


def test_embedded_resources_and_links_are_fine():
    html = f"""<html><head><style>
    /* url(https://example.org/commented-out.png) is only a comment */
    .icon {{ background-image: url("data:image/svg+xml;utf8,<svg></svg>"); }}
    .clip {{ clip-path: url(#clip); }}
    </style></head><body>
    <img src="{DATA_PNG}" srcset="{DATA_PNG} 1x, {DATA_PNG} 2x">
    <a href="https://example.org/source-article">source</a>
    <a href="//example.org/x">protocol-relative link</a>
    <area href="https://example.org/map">
    <form action="https://example.org/f"></form>
    <p>Plain text naming https://example.org/not-a-resource.js</p>
    <div style="color: red"></div>
    </body></html>"""
    assert external_resources(html) == []


@pytest.mark.parametrize(
    ("url", "embedded"),
    [
        ("data:image/png;base64,AAAA", True),
        ("  DATA:text/css,p{}", True),
        ("#fragment", True),
        ("about:blank", True),
        ("#", False),
        ("", False),
        ("https://example.org", False),
        ("//example.org", False),
        ("style.css", False),
    ],
)
def test_is_embedded(url, embedded):
    assert is_embedded(url) is embedded


def test_a_brief_that_would_load_a_remote_image_fails_the_build(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    cells = [
        ("md", '# Remote\n\n<img src="https://example.org/chart.png" alt="chart">'),
        PARAMETERS,
        KEY_FINDINGS,
        LIMITS,
    ]
    write_notebook(notebooks / "01_remote.ipynb", cells)
    data = copy_data(tmp_path / "data")
    with pytest.raises(BriefBuildError) as info:
        build_briefs(tmp_path / "out", notebooks=notebooks, data=data, progress=False)
    assert str(info.value) == (
        "01_remote.ipynb: the brief would load resources from outside itself: "
        "<img src>: 'https://example.org/chart.png'"
    )
    assert not (tmp_path / "out").exists()
