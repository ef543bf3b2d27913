"""Discussion-guide and hypothesis lint: each kind with known answers."""

from __future__ import annotations

import pytest

from kit.plan.guide_lint import (
    lint_hypotheses,
    lint_questions,
    lint_warnings,
    load_rules,
)


def kinds(question: str) -> set[str]:
    return {f.kind for f in lint_questions([question])}


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Don't you think the invite button is easy to find?", "leading"),
        ("How much do you love the new checkout?", "leading"),
        ("How easy was it to pay?", "leading"),
        ("Wouldn't you say this is clearer?", "leading"),
        ("How satisfied are you with the price and the delivery time?", "double-barreled"),
        ("What did you think of the page, and would you recommend it?", "double-barreled"),
        ("Would you use express pay?", "hypothetical"),
        ("If we added a dark mode, what would you do with it?", "hypothetical"),
        ("How likely are you to switch banks next year?", "hypothetical"),
        ("Do you like the checkout?", "yes-no"),
        ("Is the total price clear?", "yes-no"),
    ],
)
def test_biased_questions_are_found(question, kind):
    assert kind in kinds(question)


@pytest.mark.parametrize(
    "question",
    [
        "Tell me about the last time you bought something online.",
        "Walk me through how you decided what to pay with.",
        "How easy or difficult was it to pay?",
        "What, if anything, was confusing on this page?",
        "How would you describe this page to a friend?",
        "What did you expect to happen when you pressed Pay?",
    ],
)
def test_neutral_questions_pass(question):
    assert kinds(question) == set()


def test_finding_quotes_the_question_names_the_key_and_suggests_a_neutral_form():
    guide = ["Tell me about your week.", "Would you use this feature?"]
    findings = lint_questions(guide)
    assert {f.index for f in findings} == {1}
    hyp = next(f for f in findings if f.kind == "hypothetical")
    assert hyp.text == "Would you use this feature?"
    assert hyp.where == "study.yml: key 'discussion_guide[1]'"
    assert "last time" in hyp.suggestion
    line = next(w for w in lint_warnings(findings) if "hypothetical" in w)
    assert "\u201cWould you use this feature?\u201d" in line


@pytest.mark.parametrize(
    "hypothesis, flagged",
    [
        ("The new checkout will increase conversion.", True),
        ("Users will love the invite link.", True),
        ("The redesigned flow is easier than the old one.", True),
        ("We want to validate that admins need bulk invites.", True),
        ("The share of customers who choose express pay differs between first-time and returning buyers.", False),
        ("Customers who see delivery costs early abandon less often than those who see them at the last step.", False),
    ],
)
def test_hypotheses_phrased_as_solution_success(hypothesis, flagged):
    findings = lint_hypotheses([hypothesis])
    assert bool(findings) is flagged
    assert all(f.kind == "solution-success" and f.where == "study.yml: key 'hypotheses[0]'" for f in findings)


def test_every_rule_has_a_suggestion():
    for rules in load_rules().values():
        for rule in rules:
            assert rule.suggestion and rule.why and rule.kind


def test_polite_open_requests_are_not_yes_no():
    assert "yes-no" not in kinds("Can you walk me through how you paid?")
    assert "yes-no" not in kinds("Could you tell me about your last order?")
