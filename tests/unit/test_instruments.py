"""Scoring against worked examples, every band edge, missing-item rules, file validation."""
import pytest

from companion import instruments
from companion.instruments import InstrumentError, parse, score


def phq(values):
    return {str(i): v for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize("total,band", [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"),
                                        (10, "Moderate"), (14, "Moderate"),
                                        (15, "Moderately severe"), (19, "Moderately severe"),
                                        (20, "Severe"), (27, "Severe")])
def test_phq9_band_edges(total, band):
    inst = instruments.get("phq9")
    answers = [min(3, max(0, total - 3 * i)) for i in range(9)]
    result = score(inst, phq(answers))
    assert result.values["total"] == total
    assert inst.scales[0].band(total).label == band


@pytest.mark.parametrize("total,band", [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"),
                                        (10, "Moderate"), (14, "Moderate"), (15, "Severe"),
                                        (21, "Severe")])
def test_gad7_band_edges(total, band):
    inst = instruments.get("gad7")
    answers = [min(3, max(0, total - 3 * i)) for i in range(7)]
    assert score(inst, phq(answers)).values["total"] == total
    assert inst.scales[0].band(total).label == band


def test_phq9_worked_example():
    # 1,2,1,3,0,1,2,0,0 -> 10, moderate; item 10 (difficulty) is not scored
    result = score(instruments.get("phq9"), {**phq([1, 2, 1, 3, 0, 1, 2, 0, 0]), "10": 2})
    assert result.values == {"total": 10} and result.risk_items == ()


def test_item9_above_zero_is_a_risk_answer_and_zero_is_not():
    inst = instruments.get("phq9")
    assert score(inst, phq([0] * 8 + [1])).risk_items == ("9",)
    assert score(inst, phq([0] * 8 + [0])).risk_items == ()
    assert score(inst, {**phq([0] * 8), "9": None}).risk_items == ()


def test_phq9_prorates_up_to_two_skipped_items_then_gives_no_total():
    inst = instruments.get("phq9")
    one_skipped = {**phq([2] * 9), "5": None}          # 16 over 8 answered -> 18
    two_skipped = {**phq([1] * 9), "5": None, "6": None}  # 7 over 7 -> 9
    three_skipped = {**phq([3] * 9), "1": None, "2": None, "3": None}
    assert score(inst, one_skipped).values["total"] == 18
    assert score(inst, two_skipped).values["total"] == 9
    assert score(inst, three_skipped).values["total"] is None
    assert score(inst, three_skipped).missing["total"] == 3


def test_gad7_prorates_one_skipped_item_only():
    inst = instruments.get("gad7")
    assert score(inst, {**phq([2] * 7), "3": None}).values["total"] == 14
    assert score(inst, {**phq([2] * 7), "3": None, "4": None}).values["total"] is None


def bam(**scores):
    base = {i.id: 0 for i in instruments.get("bam").items("30")}
    return {**base, **{k.lstrip("q"): v for k, v in scores.items()}}


def test_bam_subscales_worked_example():
    inst = instruments.get("bam")
    answers = bam(q1=2, q2=1, q3=3, q4=1, q5=0, q6=2, q8=2, q9=3, q10=1, q11=2, q12=0, q13=4,
                  q14=4, q15=1, q16=3, q17=2)
    answers["7E"] = 2  # item 7 is unscored elaboration of item 6
    result = score(inst, answers, "30")
    assert result.values == {"use": 3, "risk": 2 + 1 + 3 + 2 + 2 + 1, "protective": 3 + 1 + 0 + 4 + 4 + 3}
    scales = {s.id: s for s in inst.scales}
    assert scales["use"].band(3).label == "Use reported"
    assert scales["risk"].band(11).label == "Lower" and scales["risk"].band(12).label == "Concern"
    assert scales["protective"].band(12).label == "Concern"
    assert scales["protective"].band(13).label == "Stronger"
    assert scales["use"].band(0).label == "No use"


def test_bam_skipped_item_leaves_only_its_subscale_incomplete():
    result = score(instruments.get("bam"), {**bam(q4=1), "11": None}, "30")
    assert result.values["risk"] is None and result.values["use"] == 1
    assert result.values["protective"] == 0


def test_bam_forms_fill_in_their_window_and_day_groups():
    inst = instruments.get("bam")
    assert inst.items("30")[3].text.startswith("In the past 30 days, how many days did you drink")
    assert [o.label for o in inst.items("30")[3].options] == ["0", "1–3", "4–8", "9–15", "16–30"]
    seven = inst.items("7")[3]
    assert seven.text.startswith("In the past 7 days") and seven.options[-1].label == "5–7"
    assert len(inst.items("30")) == 23  # 17 items, item 7 in seven parts


def test_answers_outside_the_options_are_refused():
    with pytest.raises(InstrumentError, match="not an answer"):
        score(instruments.get("phq9"), {"1": 7})
    with pytest.raises(InstrumentError, match="no item"):
        score(instruments.get("phq9"), {"99": 1})


def test_every_instrument_file_is_valid():
    assert set(instruments.load_all()) == {"phq9", "gad7", "bam"}
    for inst in instruments.load_all().values():
        assert inst.reference and inst.items(next(iter(inst.forms), ""))


def test_a_broken_file_names_the_file_and_field(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('id = "x"\ntitle = "X"\nname = "X"\ninstructions = "i"\nreference = "r"\n'
                   '[option_sets]\nyn = [{label="No", score=0}]\n'
                   '[[items]]\nid = "1"\ntext = "t"\noptions = "yn"\n'
                   '[[scales]]\nid = "t"\nlabel = "T"\nitems = ["1"]\nmin = 0\nmax = 3\n'
                   'bands = [{low=0, high=1, label="a", meaning="m"}]\n')
    with pytest.raises(InstrumentError, match=r"broken.toml: scales\[1\].bands"):
        parse(bad)
    bad.write_text('id = "x"\n')
    with pytest.raises(InstrumentError, match="broken.toml: top level: missing field 'title'"):
        parse(bad)


# --- PHQ-9 item 9 left blank (issue 15 item 2) ---------------------------------------------

def test_item9_blank_is_never_prorated_and_is_reported():
    """It was prorated as if item 9 were the mean of the others (one of two allowed blanks)."""
    inst = instruments.get("phq9")
    result = score(inst, {**phq([2] * 8), "9": None})
    assert result.values["total"] is None and result.missing["total"] == 1
    assert result.risk_unanswered == ("9",) and result.risk_items == ()
    # another item blank is still prorated by the clinic's rule; item 9 answered is no risk gap
    other = score(inst, {**phq([2] * 9), "5": None})
    assert other.values["total"] == 18 and other.risk_unanswered == ()


def test_item9_blank_is_never_prorated_whatever_the_clinic_allows():
    import dataclasses

    lenient = dataclasses.replace(instruments.get("phq9"), max_missing=8)
    assert score(lenient, {**phq([3] * 8), "9": None}).values["total"] is None
    assert score(lenient, {**phq([3] * 9), "1": None}).values["total"] == 27


# --- BAM skip instructions (issue 15 item 3) ----------------------------------------------

SEVEN = ("7A", "7B", "7C", "7D", "7E", "7F", "7G")


def test_the_bam_file_carries_every_skip_instruction_of_the_form():
    skips = {(r.gate, r.answer, r.items, r.score_as) for r in instruments.get("bam").skips}
    assert skips == {("4", 0, ("5",), 0), ("6", 0, SEVEN, 0)}


@pytest.mark.parametrize("form", ["30", "7"])
def test_bam_no_alcohol_skips_heavy_drinking_and_completes_use(form):
    """It read "Incomplete": item 5 is skipped on the form when item 4 is 0."""
    answers = {**bam(q4=0, q6=1), "5": None, "7A": 1}
    result = score(instruments.get("bam"), answers, form)
    assert result.values["use"] == 1 and result.missing["use"] == 0
    assert result.skipped_by_rule == ("5",)


@pytest.mark.parametrize("form", ["30", "7"])
def test_bam_no_drug_days_skips_7a_to_7g(form):
    answers = {**bam(q4=2, q5=1, q6=0), **{i: None for i in SEVEN}}
    result = score(instruments.get("bam"), answers, form)
    assert result.values["use"] == 3 and result.skipped_by_rule == SEVEN
    assert all(v is not None for v in result.values.values())


@pytest.mark.parametrize("form", ["30", "7"])
@pytest.mark.parametrize("rule", instruments.get("bam").skips, ids=lambda r: f"item{r.gate}")
def test_every_bam_skip_pattern_leaves_every_subscale_scored(form, rule):
    answers = {**bam(), rule.gate: rule.answer, **{i: None for i in rule.items}}
    result = score(instruments.get("bam"), answers, form)
    assert set(result.skipped_by_rule) == set(rule.items)
    assert all(v is not None for v in result.values.values()), result.values
    assert sum(result.missing.values()) == 0


def test_bam_skip_applies_only_when_the_gate_says_so():
    inst = instruments.get("bam")
    unanswered_gate = score(inst, {**bam(), "4": None, "5": None}, "30")
    assert unanswered_gate.values["use"] is None and unanswered_gate.missing["use"] == 2
    some_drinking = score(inst, {**bam(q4=1), "5": None}, "30")
    assert some_drinking.values["use"] is None and some_drinking.missing["use"] == 1
    answered_anyway = score(inst, bam(q4=0, q5=2), "30")  # kept as given, never overwritten
    assert answered_anyway.values["use"] == 2 and answered_anyway.skipped_by_rule == ()


def _file_with(tmp_path, extra: str, items: str = ""):
    path = tmp_path / "x.toml"
    path.write_text('id = "x"\ntitle = "X"\nname = "X"\ninstructions = "i"\nreference = "r"\n'
                    'missing_rule = "none"\nmissing_rule_source = "clinic"\n'
                    '[option_sets]\nyn = [{label="No", score=0}, {label="Yes", score=1}]\n'
                    '[[items]]\nid = "1"\ntext = "t"\noptions = "yn"\n'
                    '[[items]]\nid = "2"\ntext = "t"\noptions = "yn"\n' + items +
                    '[[scales]]\nid = "t"\nlabel = "T"\nitems = ["1", "2"]\nmin = 0\nmax = 2\n'
                    'bands = [{low=0, high=2, label="a", meaning="m"}]\n' + extra)
    return path


@pytest.mark.parametrize("skip,message", [
    ('when = "1"\nis = 0\nskip = ["9"]\nscore_as = 0\nwhy = "w"\n', "unknown item"),
    ('when = "2"\nis = 0\nskip = ["1"]\nscore_as = 0\nwhy = "w"\n', "must follow"),
    ('when = "1"\nis = 5\nskip = ["2"]\nscore_as = 0\nwhy = "w"\n', r"skips\[1\].is"),
    ('when = "1"\nis = 0\nskip = ["2"]\nscore_as = 7\nwhy = "w"\n', "score_as"),
    ('when = "1"\nis = 0\nskip = ["3"]\nscore_as = 0\nwhy = "w"\n', "risk item is never"),
])
def test_a_wrong_skip_instruction_names_the_file_and_field(tmp_path, skip, message):
    risky = '[[items]]\nid = "3"\ntext = "t"\noptions = "yn"\nrisk = true\n'
    with pytest.raises(InstrumentError, match=message):
        parse(_file_with(tmp_path, "[[skips]]\n" + skip, risky))


# --- where each skipped-item rule comes from (issue 15 item 8) -----------------------------

def test_every_skipped_item_rule_says_where_it_comes_from():
    for inst in instruments.load_all().values():
        assert inst.missing_rule and inst.missing_rule_source in instruments.MISSING_RULE_SOURCES
    gad7 = instruments.get("gad7")
    assert gad7.max_missing == 1 and gad7.missing_rule_source == "clinic"
    assert "clinic's own rule" in gad7.missing_rule_label
    assert instruments.get("phq9").missing_rule_source == "clinic"  # Kroenke 2001 gives none


def test_a_file_without_a_labelled_skipped_item_rule_is_refused(tmp_path):
    path = _file_with(tmp_path, "")
    path.write_text(path.read_text().replace('missing_rule_source = "clinic"\n', ""))
    with pytest.raises(InstrumentError, match="missing field 'missing_rule_source'"):
        parse(path)
    path.write_text(path.read_text().replace('missing_rule = "none"\n',
                                             'missing_rule = "none"\nmissing_rule_source = "x"\n'))
    with pytest.raises(InstrumentError, match="must be one of"):
        parse(path)
