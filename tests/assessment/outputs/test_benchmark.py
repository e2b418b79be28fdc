"""Benchmark CSVs: the exact format, pseudonyms, reading with errors by file/row/column, comparing."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assessment.analysis.scoring import score_table
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.errors import DataError, PrivacyError
from assessment.outputs.benchmark import (
    BENCHMARK_COLUMNS,
    BENCHMARK_FORMAT,
    COMPARE_COLUMNS,
    benchmark_csv,
    benchmark_rows,
    compare,
    percentile_rank,
    read_benchmark_files,
)
from assessment.questionnaire import default_registry

KEY = "work-management@1.0.0"
SHA = "e" * 64


@pytest.fixture(scope="module")
def questionnaire():
    return default_registry().get(KEY)


@pytest.fixture(scope="module")
def scored(questionnaire):
    org = generate_organisation(questionnaire, seed=21, n_units=6)
    return score_table(org.table, questionnaire, n_resamples=50)


@pytest.fixture(scope="module")
def rows(scored) -> pd.DataFrame:
    return benchmark_rows(
        scored.result,
        scored.metadata,
        org="Acme",
        sector="software",
        size_band="50-249",
        period="2025-03",
    )


# --- writing --------------------------------------------------------------------------------------


def test_exact_columns_in_order(rows) -> None:
    # docs/formats.md "Benchmark CSV", in this order.
    assert list(rows.columns) == [
        "format", "questionnaire", "questionnaire_sha256", "org", "sector", "size_band", "period",
        "dimension_type", "dimension", "n_respondents", "n_units", "mean", "sd", "ci_low",
        "ci_high", "p25", "median", "p75", "level",
    ]  # fmt: skip
    assert tuple(rows.columns) == BENCHMARK_COLUMNS
    assert (rows["format"] == BENCHMARK_FORMAT).all()
    assert (rows["questionnaire"] == KEY).all()
    assert (rows["org"] == "Acme").all()


def test_one_row_per_scored_dimension(rows, scored) -> None:
    org = scored.result.scores[scored.result.scores["unit"] == "__all__"]
    expected = org[org["dimension_type"].isin(["component", "principle", "overall", "index"])]
    assert list(rows["dimension"]) == list(expected["dimension"])
    assert "outcome" not in set(rows["dimension_type"])


def test_statistics_come_from_the_organisation_row(rows, scored) -> None:
    org = scored.result.scores[scored.result.scores["unit"] == "__all__"].set_index("dimension")
    for row in rows.to_dict("records"):
        source = org.loc[row["dimension"]]
        assert row["n_respondents"] == source["n"]
        assert row["level"] == source["level"]
        for column in ("mean", "sd", "ci_low", "ci_high"):
            assert row[column] == pytest.approx(source[column], abs=5e-5)


def test_quartiles_of_respondent_scores(rows, scored) -> None:
    respondents = scored.result.respondents
    for row in rows.to_dict("records"):
        values = respondents[row["dimension"]].dropna().to_numpy()
        assert row["p25"] == pytest.approx(np.percentile(values, 25), abs=5e-5)
        assert row["median"] == pytest.approx(np.median(values), abs=5e-5)
        assert row["p75"] == pytest.approx(np.percentile(values, 75), abs=5e-5)
        units = respondents.loc[respondents[row["dimension"]].notna(), "unit"].nunique()
        assert row["n_units"] == units


def test_pseudonym_unless_named(scored) -> None:
    first = benchmark_rows(
        scored.result, scored.metadata, sector="", size_band="", period="2025-03"
    )
    second = benchmark_rows(
        scored.result, scored.metadata, sector="", size_band="", period="2025-03"
    )
    name = first["org"].iloc[0]
    assert re.fullmatch(r"org-[0-9a-f]{6}", name)
    assert first["org"].nunique() == 1
    assert second["org"].iloc[0] != name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"period": "2025-3"}, "YYYY-MM", id="period-without-zero"),
        pytest.param({"period": "2025-13"}, "YYYY-MM", id="period-month-13"),
        pytest.param({"org": "  "}, "org must not be empty", id="empty-org"),
        pytest.param({"sector": "a\nb"}, "one line", id="sector-newline"),
    ],
)
def test_bad_labels(scored, kwargs, message) -> None:
    arguments = {"sector": "x", "size_band": "y", "period": "2025-03", **kwargs}
    with pytest.raises(ValueError, match=message):
        benchmark_rows(scored.result, scored.metadata, **arguments)


def test_needs_scores_by_unit(scored) -> None:
    with pytest.raises(ValueError, match="by unit"):
        benchmark_rows(
            scored.result,
            {**scored.metadata, "by": "role"},
            sector="",
            size_band="",
            period="2025-03",
        )


def test_organisation_below_minimum_writes_no_rows(questionnaire) -> None:
    profile = organisation_profile(seed=3, n_units=2, min_size=1, max_size=2)
    org = generate_organisation(questionnaire, seed=3, profile=profile)
    scored = score_table(org.table, questionnaire, n_resamples=20)
    assert org.table.n_respondents < 5
    rows = benchmark_rows(scored.result, scored.metadata, sector="", size_band="", period="2025-03")
    assert rows.empty
    assert tuple(rows.columns) == BENCHMARK_COLUMNS


def test_writer_refuses_rows_below_the_minimum(rows) -> None:
    small = rows.copy()
    small.loc[0, "n_respondents"] = 3
    with pytest.raises(PrivacyError):
        benchmark_csv(small, min_group_size=5)
    with pytest.raises(ValueError, match="exactly the columns"):
        benchmark_csv(rows.iloc[:, ::-1], min_group_size=5)


def test_write_then_read_round_trip(rows, tmp_path) -> None:
    path = tmp_path / "acme.csv"
    path.write_bytes(benchmark_csv(rows, min_group_size=5))
    header = path.read_text("utf-8").splitlines()[0]
    assert header == ",".join(BENCHMARK_COLUMNS)
    back = read_benchmark_files([path])
    assert list(back.columns) == [
        *BENCHMARK_COLUMNS,
        "questionnaire_id",
        "questionnaire_version",
        "source",
        "source_row",
    ]
    pd.testing.assert_frame_equal(back[list(BENCHMARK_COLUMNS)], rows, check_dtype=False)
    assert (back["questionnaire_version"] == "1.0.0").all()
    assert (back["source"] == "acme.csv").all()
    assert list(back["source_row"]) == list(range(2, len(rows) + 2))


def test_injection_in_labels_is_neutralised_and_read_back(scored, tmp_path) -> None:
    rows = benchmark_rows(
        scored.result,
        scored.metadata,
        org="=cmd()",
        sector="+sector",
        size_band="-5",
        period="2025-03",
    )
    path = tmp_path / "b.csv"
    path.write_bytes(benchmark_csv(rows, min_group_size=5))
    text = path.read_text("utf-8")
    assert "'=cmd()" in text and "'+sector" in text and "'-5" in text
    back = read_benchmark_files([path])
    assert set(back["org"]) == {"=cmd()"}
    assert set(back["size_band"]) == {"-5"}


# --- reading --------------------------------------------------------------------------------------


def benchmark_text(rows: list[dict[str, object]], columns=BENCHMARK_COLUMNS) -> str:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(str(row[c]) for c in columns))
    return "\n".join(lines) + "\n"


def row(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "format": BENCHMARK_FORMAT,
        "questionnaire": KEY,
        "questionnaire_sha256": SHA,
        "org": "org-aaaaaa",
        "sector": "retail",
        "size_band": "250+",
        "period": "2025-01",
        "dimension_type": "component",
        "dimension": "clarity",
        "n_respondents": 40,
        "n_units": 4,
        "mean": 3.1,
        "sd": 0.6,
        "ci_low": 2.9,
        "ci_high": 3.3,
        "p25": 2.7,
        "median": 3.1,
        "p75": 3.5,
        "level": 3,
    }
    return {**base, **changes}


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def test_reads_several_files_and_versions(tmp_path) -> None:
    a = write(tmp_path, "a.csv", benchmark_text([row(), row(dimension="completion")]))
    b = write(
        tmp_path,
        "b.csv",
        benchmark_text(
            [
                row(
                    org="org-bbbbbb",
                    questionnaire="work-management@1.1.0",
                    questionnaire_sha256="f" * 64,
                )
            ]
        ),
        encoding="utf-8-sig",
    )
    frame = read_benchmark_files([a, b])
    assert len(frame) == 3
    assert list(frame["questionnaire_version"]) == ["1.0.0", "1.0.0", "1.1.0"]
    assert list(frame["source"]) == ["a.csv", "a.csv", "b.csv"]
    assert frame["n_respondents"].dtype == "Int64"
    assert frame["mean"].dtype == np.float64


@pytest.mark.parametrize(
    ("files", "path", "kind"),
    [
        pytest.param(
            {"x.csv": "respondent_id,unit,CLA01\nr1,A,3\n"},
            "x.csv",
            "wrong-format",
            id="not-a-benchmark-file",
        ),
        pytest.param(
            {
                "x.csv": benchmark_text(
                    [row(), row(dimension="completion", format="wmm-benchmark/2")]
                )
            },
            "x.csv row 3, column format",
            "wrong-format",
            id="wrong-format-version",
        ),
        pytest.param(
            {
                "x.csv": benchmark_text([row()]),
                "y.csv": benchmark_text([row(org="o2", questionnaire="other-survey@1.0.0")]),
            },
            "y.csv row 2, column questionnaire",
            "incompatible-questionnaire",
            id="wrong-questionnaire-id",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row(), row(dimension="completion", mean="high")])},
            "x.csv row 3, column mean",
            "invalid-value",
            id="bad-number",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row(n_respondents="4.5")])},
            "x.csv row 2, column n_respondents",
            "invalid-value",
            id="fractional-count",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row(mean=3.5)])},
            "x.csv row 2, column mean",
            "invalid-value",
            id="mean-outside-interval",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row(period="March")])},
            "x.csv row 2, column period",
            "invalid-value",
            id="bad-period",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row(dimension_type="outcome")])},
            "x.csv row 2, column dimension_type",
            "invalid-value",
            id="unknown-dimension-type",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row()], columns=BENCHMARK_COLUMNS[:-1])},
            "x.csv row 1",
            "missing-column",
            id="missing-column",
        ),
        pytest.param(
            {
                "x.csv": benchmark_text(
                    [{**row(), "extra": 1}], columns=(*BENCHMARK_COLUMNS, "extra")
                )
            },
            "x.csv row 1, column extra",
            "unknown-column",
            id="unknown-column",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row()]) + "1,2\n"},
            "x.csv row 3",
            "wrong-cell-count",
            id="short-row",
        ),
        pytest.param(
            {"x.csv": benchmark_text([row()]), "y.csv": benchmark_text([row()])},
            "y.csv row 2, column dimension",
            "duplicate-row",
            id="same-file-twice",
        ),
        pytest.param(
            {
                "x.csv": benchmark_text([row()]),
                "y.csv": benchmark_text([row(org="o2", questionnaire_sha256="1" * 64)]),
            },
            "y.csv row 2, column questionnaire_sha256",
            "checksum-mismatch",
            id="changed-questionnaire-file",
        ),
        pytest.param({"x.csv": ""}, "x.csv", "empty-file", id="empty-file"),
        pytest.param(
            {"x.csv": ",".join(BENCHMARK_COLUMNS) + "\n"}, "x.csv", "no-rows", id="header-only"
        ),
    ],
)
def test_read_errors_name_file_row_and_column(tmp_path, files, path, kind) -> None:
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    with pytest.raises(DataError) as caught:
        read_benchmark_files(paths)
    problems = caught.value.problems
    assert any(p.path == path and p.type == kind for p in problems), [str(p) for p in problems]
    assert "nothing was imported" in str(caught.value)


def test_read_checks_the_campaigns_questionnaire(tmp_path) -> None:
    path = write(tmp_path, "x.csv", benchmark_text([row()]))
    with pytest.raises(DataError) as caught:
        read_benchmark_files([path], questionnaire_id="another")
    assert caught.value.problems[0].path == "x.csv row 2, column questionnaire"
    assert "the campaign" in caught.value.problems[0].message


def test_read_not_utf8(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(benchmark_text([row(sector="Café")]).encode("latin-1"))
    with pytest.raises(DataError) as caught:
        read_benchmark_files([path])
    assert caught.value.problems[0].type == "not-utf8"


def test_read_caps_the_problems(tmp_path) -> None:
    bad = [row(dimension=f"d{i}", mean="x") for i in range(80)]
    path = write(tmp_path, "x.csv", benchmark_text(bad))
    with pytest.raises(DataError) as caught:
        read_benchmark_files([path])
    problems = caught.value.problems
    assert len(problems) == 51
    assert problems[-1].message == "and 30 more problem(s) not listed"


def test_read_needs_files() -> None:
    with pytest.raises(ValueError, match="no benchmark files"):
        read_benchmark_files([])


# --- comparing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "x"),
    [
        pytest.param([2.0, 3.0, 3.0, 4.0], 3.0, id="ties-count-half"),
        pytest.param([2.0, 3.0, 3.0, 4.0], 2.5, id="between"),
        pytest.param([2.0, 3.0], 1.0, id="below-all"),
        pytest.param([2.0, 3.0], 5.0, id="above-all"),
    ],
)
def test_percentile_rank_matches_scipy(values, x) -> None:
    assert percentile_rank(values, x) == pytest.approx(
        stats.percentileofscore(values, x, kind="mean")
    )


def test_percentile_rank_of_nothing() -> None:
    assert math.isnan(percentile_rank([], 3.0))


def pooled_frame(entries: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame([row(**e) for e in entries])


def test_compare_hand_made_example() -> None:
    # Four other organisations' clarity means 2.0, 3.0, 3.0, 4.0; ours 3.0 with interval [2.5, 3.5].
    pooled = pooled_frame(
        [
            {"org": "o1", "mean": 2.0, "ci_low": 1.8, "ci_high": 2.2},
            {"org": "o2", "mean": 3.0},
            {"org": "o3", "mean": 3.0, "questionnaire": "work-management@1.1.0"},
            {"org": "o4", "mean": 4.0, "ci_low": 3.8, "ci_high": 4.2},
            {"org": "o1", "mean": 2.5, "dimension": "completion"},
        ]
    )
    ours = pooled_frame(
        [
            {"org": "us", "mean": 3.0, "ci_low": 2.5, "ci_high": 3.5},
            {"org": "us", "mean": 3.0, "dimension": "collaboration"},
        ]
    )
    result = compare(ours, pooled)
    assert list(result.columns) == list(COMPARE_COLUMNS)
    clarity = result.iloc[0]
    # PR(3.0) = (1 below + ½·2 equal)/4 = 50; PR(2.5) = 1/4 = 25; PR(3.5) = 3/4 = 75.
    assert clarity["percentile"] == pytest.approx(50.0)
    assert clarity["percentile_low"] == pytest.approx(25.0)
    assert clarity["percentile_high"] == pytest.approx(75.0)
    assert clarity["n_orgs"] == 4
    # np.percentile([2, 3, 3, 4], [25, 50, 75]) = 2.75, 3.0, 3.25 (linear).
    assert (
        clarity["pooled_p25"],
        clarity["pooled_median"],
        clarity["pooled_p75"],
    ) == pytest.approx((2.75, 3.0, 3.25))
    assert clarity["versions"] == "1.0.0, 1.1.0"
    nobody = result.iloc[1]
    assert nobody["dimension"] == "collaboration"
    assert nobody["n_orgs"] == 0
    assert math.isnan(nobody["percentile"])


def test_compare_leaves_out_our_own_rows_and_old_periods() -> None:
    pooled = pooled_frame(
        [
            {"org": "us", "mean": 1.0},
            {"org": "o1", "mean": 2.0, "period": "2024-01"},
            {"org": "o1", "mean": 4.0, "period": "2025-01"},
        ]
    )
    ours = pooled_frame([{"org": "us", "mean": 3.0, "ci_low": 2.9, "ci_high": 3.1}])
    result = compare(ours, pooled).iloc[0]
    assert result["n_orgs"] == 1
    assert result["percentile"] == 0.0
    assert result["pooled_median"] == 4.0


def test_compare_with_no_benchmark_yet() -> None:
    ours = pooled_frame([{"org": "us"}])
    result = compare(ours, pd.DataFrame())
    assert list(result["n_orgs"]) == [0]
    assert math.isnan(result["percentile"].iloc[0])


def test_compare_refuses_another_questionnaire() -> None:
    pooled = pooled_frame([{"org": "o1", "questionnaire": "other@1.0.0"}])
    ours = pooled_frame([{"org": "us"}])
    with pytest.raises(DataError, match="same questionnaire"):
        compare(ours, pooled)


def test_compare_needs_our_rows() -> None:
    with pytest.raises(DataError, match="no benchmark rows"):
        compare(pooled_frame([]).reindex(columns=BENCHMARK_COLUMNS), pooled_frame([{"org": "o1"}]))


def test_compare_real_files(rows, tmp_path, questionnaire) -> None:
    # Two other organisations, exported and read like a facilitator would.
    others = []
    for seed, name in ((31, "beta"), (32, "gamma")):
        org = generate_organisation(questionnaire, seed=seed, n_units=5)
        scored = score_table(org.table, questionnaire, n_resamples=20)
        frame = benchmark_rows(
            scored.result, scored.metadata, org=name, sector="", size_band="", period="2025-02"
        )
        path = tmp_path / f"{name}.csv"
        path.write_bytes(benchmark_csv(frame, min_group_size=5))
        others.append(path)
    pooled = read_benchmark_files(others, questionnaire_id="work-management")
    result = compare(rows, pooled)
    assert len(result) == len(rows)
    assert (result["n_orgs"] == 2).all()
    assert (
        (result["percentile_low"] <= result["percentile"])
        & (result["percentile"] <= result["percentile_high"])
    ).all()
