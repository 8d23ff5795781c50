"""Charts over HTTP: PNG by default, SVG on request, and the calibration's link to its reliability chart."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.resources import charts
from estimator.model.estimate import Estimate

Client = TestClient[Litestar]
PNG = b"\x89PNG\r\n\x1a\n"
BLOGGER = {
    "law_version": "2020",
    "work_type": "ai_image",
    "defendant_type": "individual",
    "claimed_economic_loss": 5000,
}


def test_estimate_chart_is_a_png_or_an_svg(client: Client) -> None:
    png = client.post("/v1/estimates/chart", json=BLOGGER)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(PNG)
    svg = client.post("/v1/estimates/chart?format=svg", json=BLOGGER)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content


def test_advice_chart_renders(client: Client) -> None:
    response = client.post("/v1/claims/advice/chart", json={"case": BLOGGER, "assessed_loss": 5000, "points": 12})
    assert response.status_code == 200
    assert response.content.startswith(PNG)


def test_calibration_links_to_its_reliability_chart(client: Client) -> None:
    calibration = client.get("/v1/calibrations/default").json()
    link = calibration["links"]["reliability_chart"]
    assert calibration["diagnostics"]["held_out"]
    chart = client.get(link, headers={"accept": "image/svg+xml"})
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("image/svg+xml", "image/svg+xml"),
        ("image/svg+xml;q=0, image/png", "image/png"),  # q=0: not wanted at all
        ("image/png;q=0.5, image/svg+xml", "image/svg+xml"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "image/png"),  # a browser
        ("image/*", "image/png"),
    ],
)
def test_the_format_follows_accept_by_q_value(client: Client, accept: str, media: str) -> None:
    response = client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


def test_an_accept_without_an_image_is_a_406_unless_format_is_given(client: Client) -> None:
    refused = client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": "application/json"})
    assert refused.status_code == 406
    assert refused.json()["errors"][0]["path"] == "header.accept"
    assert "image/png, image/svg+xml" in refused.json()["detail"]
    drawn = client.post("/v1/estimates/chart?format=svg", json=BLOGGER, headers={"accept": "application/json"})
    assert drawn.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize("accept", ["application/json,", "application/json, ,text/html"])
def test_an_empty_element_of_accept_is_skipped_not_read_as_anything(client: Client, accept: str) -> None:
    refused = client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": accept})
    assert refused.status_code == 406


@pytest.mark.parametrize(
    "accept", ["image/png;q=0", "image/svg+xml;q=0, image/png;q=0", "image/svg+xml;q=abc", "image/png;q=2"]
)
def test_what_accept_refuses_or_weighs_wrongly_is_not_served(client: Client, accept: str) -> None:
    assert client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": accept}).status_code == 406


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("image/png;q=0, */*", "image/svg+xml"),
        ("image/png;q=0, image/svg+xml;q=0.1, image/*", "image/svg+xml"),
        ("image/svg+xml;q=0, */*", "image/png"),
    ],
)
def test_a_wildcard_does_not_bring_back_a_refused_type(client: Client, accept: str, media: str) -> None:
    response = client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": accept})
    assert response.headers["content-type"].startswith(media)


def test_a_wildcard_beside_every_type_refused_is_a_406_with_vary(client: Client) -> None:
    response = client.post(
        "/v1/estimates/chart", json=BLOGGER, headers={"accept": "image/png;q=0, image/svg+xml;q=0, */*"}
    )
    assert response.status_code == 406
    assert response.headers["vary"] == "Accept, Accept-Language"


def test_repeated_accept_headers_are_one_list(client: Client) -> None:
    headers = [("accept", "text/html"), ("accept", "image/svg+xml")]
    response = client.post("/v1/estimates/chart", json=BLOGGER, headers=headers)
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["vary"] == "Accept, Accept-Language"


def test_an_accept_of_nothing_but_commas_is_no_preference(client: Client) -> None:
    response = client.post("/v1/estimates/chart", json=BLOGGER, headers={"accept": " , ,"})
    assert response.headers["content-type"].startswith("image/png")


def test_bad_chart_requests_are_problems(client: Client) -> None:
    assert client.post("/v1/estimates/chart?format=gif", json=BLOGGER).status_code == 400
    assert client.get("/v1/calibrations/nope/reliability").status_code == 404
    # Refused by the law while the chart is being drawn in its worker thread: still a problem naming the field.
    punitive = {**BLOGGER, "punitive_multiplier": 2, "intentional_and_serious": True}
    for _ in range(2):  # and not cached as anything
        refused = client.post("/v1/estimates/chart", json=punitive)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "punitive_multiplier"


def test_the_same_figures_are_drawn_once_and_other_figures_afresh(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    real = charts.award_chart

    def counting(estimate: Estimate, **kwargs: Any) -> bytes:
        drawn.append(estimate.id or "")
        return real(estimate, **kwargs)

    monkeypatch.setattr(charts, "award_chart", counting)
    case = {**BLOGGER, "id": "cache-check", "claimed_economic_loss": 7_321}
    first = client.post("/v1/estimates/chart", json=case)
    again = client.post("/v1/estimates/chart", json=case)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert drawn == ["cache-check"]
    assert client.post("/v1/estimates/chart?format=svg", json=case).content.lstrip().startswith(b"<")
    changed = client.post("/v1/estimates/chart", json={**case, "claimed_economic_loss": 7_322})
    assert changed.content != first.content
    assert len(drawn) == 3  # another format, other figures: each drawn


@pytest.mark.parametrize("font", [None, "Noto Sans CJK SC"])
def test_a_chart_says_which_language_its_labels_are_in(
    client: Client, monkeypatch: pytest.MonkeyPatch, font: str | None
) -> None:
    """Chinese is drawn only with a CJK font; without one the labels are English and the header says so."""
    monkeypatch.setattr(charts, "cjk_font", lambda: font)
    english = client.post("/v1/estimates/chart", json=BLOGGER)
    assert english.headers["content-language"] == "en"
    chinese = client.post("/v1/estimates/chart", json={**BLOGGER, "lang": "zh"})
    assert chinese.headers["content-language"] == ("zh" if font else "en")


def test_a_406_echoes_a_long_accept_header_cut_short(client: Client) -> None:
    accept = "application/json" + ",x/y" * 3000
    response = client.post("/v1/estimates/chart", json={}, headers={"accept": accept})
    assert response.status_code == 406
    detail = response.json()["detail"]
    assert len(detail) < 300
    assert "cannot answer in `application/json,x/y" in detail
