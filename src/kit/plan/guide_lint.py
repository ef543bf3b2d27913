"""Lint the discussion guide and the hypotheses against confirmation bias.

PMs (and researchers) who want the research to prove a solution write
questions that invite the hoped-for answer. The rules are data
(``data/guide_lint.yml``): regular expressions for leading, double-barreled,
hypothetical/future-behaviour and yes/no questions, and for hypotheses
phrased as the solution's success. Each finding quotes the text, says why it
biases the answer and suggests a neutral form.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class LintRule:
    kind: str
    regex: re.Pattern[str]
    why: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    """One biased question or hypothesis."""

    section: str  # discussion_guide | hypotheses
    index: int  # 0-based position in its list
    text: str
    kind: str
    why: str
    suggestion: str

    @property
    def where(self) -> str:
        return f"study.yml: key '{self.section}[{self.index}]'"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "where": self.where}


@lru_cache(maxsize=1)
def load_rules() -> dict[str, tuple[LintRule, ...]]:
    """Rules by section ('questions', 'hypotheses'), in file order."""
    text = resources.files("kit").joinpath("data", "guide_lint.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        section: tuple(LintRule(r["kind"], re.compile(r["regex"], re.I), r["why"], r["suggestion"]) for r in rules)
        for section, rules in data.items()
    }


def _lint(texts: list[str], rules: tuple[LintRule, ...], section: str) -> list[Finding]:
    findings = []
    for i, text in enumerate(texts):
        kinds_seen: set[str] = set()
        for rule in rules:
            # One finding per kind and text: the first rule of a kind explains it.
            if rule.kind not in kinds_seen and rule.regex.search(text):
                kinds_seen.add(rule.kind)
                findings.append(Finding(section, i, text, rule.kind, rule.why, rule.suggestion))
    return findings


def lint_questions(questions: list[str]) -> list[Finding]:
    """Findings for discussion-guide questions."""
    return _lint(questions, load_rules()["questions"], "discussion_guide")


def lint_hypotheses(hypotheses: list[str]) -> list[Finding]:
    """Findings for hypotheses phrased as the solution's success."""
    return _lint(hypotheses, load_rules()["hypotheses"], "hypotheses")


def lint_warnings(findings: list[Finding]) -> list[str]:
    """One line per finding: where, kind, the quoted text, the suggestion."""
    return [f"{f.where}: {f.kind} — \u201c{f.text}\u201d: {f.suggestion}." for f in findings]
