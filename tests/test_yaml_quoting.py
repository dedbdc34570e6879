# SPDX-License-Identifier: MIT
"""Text that YAML misreads unless quoted gets one located hint, yaml_unquoted_text, in ja and en."""
from __future__ import annotations

import pytest

from engine.policy.load import load_policy

# An invented policy (for tests); {label} is the fact's label, written as staff would.
POLICY = """\
id: quoting  # invented for tests
jurisdiction: {{code: JP-99, name: {{ja: 架空県, en: Invented Prefecture}}}}
fiscal_year: 2024
title: {{ja: 例, en: Example}}
sources: {{guideline: {{title: {{ja: 要項, en: Guideline}}, number: null}}}}
facts:
  tier:
    type: text
{label}
results: [tier_copy]
rules:
  tier_copy: {{type: text, expr: tier, label: {{ja: 写し, en: copy}}, cite: {{source: guideline, article: 1}}}}
"""
BLOCK = "    label:\n      ja: {text}\n      en: tier"

# (the line staff wrote, column of the text, the text, the value as it must be written)
MISTAKES = {
    "colon_in_block_text": ("      ja: 対象: 2次救急", 11, "対象: 2次救急", 'ja: "対象: 2次救急"'),
    "colon_in_flow_label": ("    label: {ja: 対象: 2次救急, en: tier}", 17, "対象: 2次救急", 'ja: "対象: 2次救急"'),
    "colon_in_english_of_flow_label": ("    label: {ja: 区分, en: Note: tier}", 25, "Note: tier", 'en: "Note: tier"'),
    "starts_with_bracket": ("      ja: [注] 区分", 11, "[注] 区分", 'ja: "[注] 区分"'),
    "starts_with_brace": ("      ja: {注} 区分", 11, "{注} 区分", 'ja: "{注} 区分"'),
    "starts_with_star": ("      ja: *注意", 11, "*注意", 'ja: "*注意"'),
    "starts_with_bang": ("      ja: !重要 区分", 11, "!重要 区分", 'ja: "!重要 区分"'),
    "starts_with_percent": ("      ja: %区分", 11, "%区分", 'ja: "%区分"'),
    "starts_with_at": ("      ja: @区分", 11, "@区分", 'ja: "@区分"'),
    "starts_with_backtick": ("      ja: `区分`", 11, "`区分`", 'ja: "`区分`"'),
    "quoted_then_more_text": ('      ja: "区分" 以外', 11, '"区分" 以外', 'ja: "\\"区分\\" 以外"'),
}


def _policy(line: str) -> tuple[str, int]:
    """The policy with `line` in the label, and the line number it is on."""
    label = line if line.lstrip().startswith("label:") else "    label:\n" + line + "\n      en: tier"
    text = POLICY.format(label=label)
    return text, text.splitlines().index(line) + 1


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_text_yaml_misreads_is_pointed_at_with_quote_the_text_in_japanese_and_english(name, cli, tmp_path):
    line, col, text, quoted = MISTAKES[name]
    f = tmp_path / "p.yaml"
    body, n = _policy(line)
    f.write_text(body, "utf-8")
    ja = cli("check", str(f), "--lang", "ja")
    assert ja.code == 2
    first = ja.err.splitlines()[0]
    assert first.startswith(f"{f}:{n}:{col}: yaml_unquoted_text: YAML は {text} を文字列として読めません")
    assert first.endswith(f"文字列を引用符で囲んでください: {quoted}")
    en = cli("check", str(f), "--lang", "en")
    assert en.err.splitlines()[0] == (f"{f}:{n}:{col}: yaml_unquoted_text: YAML cannot read {text} as text "
                                      f'(a ": " or a leading sign is taken as YAML syntax); quote the text: {quoted}')


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_the_quoted_spelling_the_hint_shows_loads_as_the_text(name, tmp_path):
    line, _col, text, quoted = MISTAKES[name]
    key, _, value = quoted.partition(": ")
    fixed = line.replace(f"{key}: {text}", quoted, 1)
    assert fixed != line
    policy = load_policy(str(tmp_path / "p.yaml"), _policy(fixed)[0])
    assert policy.facts["tier"].spec["label"][key] == text


# (the line staff wrote, column of the entry, the entry) where YAML reads text as a key without a value
FLOW_KEYS = {
    "comma_cuts_the_label": ("    label: {ja: 2次救急, 3次救急, en: tier}", 23, "3次救急"),
    "note_written_in_braces": ("    label: {救急医療の区分}", 13, "救急医療の区分"),
}


@pytest.mark.parametrize("name", sorted(FLOW_KEYS))
def test_text_read_as_a_key_without_value_inside_braces_is_pointed_at_with_quote_the_text(name, cli, tmp_path):
    line, col, text = FLOW_KEYS[name]
    f = tmp_path / "p.yaml"
    body, n = _policy(line)
    f.write_text(body, "utf-8")
    ja = cli("check", str(f), "--lang", "ja")
    assert ja.code == 2
    assert ja.err.splitlines()[0] == (f"{f}:{n}:{col}: yaml_unquoted_text: {{ }} の中の {text} が値のないキーとして"
                                      "読まれました（「,」で区切られたか、{ } で囲まれたため）。文字列を引用符で囲んでください")
    en = cli("check", str(f), "--lang", "en")
    assert en.err.splitlines()[0] == (f"{f}:{n}:{col}: yaml_unquoted_text: {text} inside {{ }} was read as a key "
                                      "without a value (cut at a comma, or written in braces); quote the text")


def test_a_flow_mapping_with_ascii_keys_and_null_values_is_not_taken_for_a_mistake(tmp_path):
    policy = load_policy(str(tmp_path / "p.yaml"), _policy("    label: {ja: 区分, en: tier}")[0])
    assert policy.meta["sources"]["guideline"]["number"] is None


def test_an_unclosed_bracket_is_a_yaml_syntax_error_not_a_quoting_hint(cli, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(_policy("    label: {ja: 区分, en: tier}")[0].replace("results: [tier_copy]", "results: [tier_copy"),
                 "utf-8")
    r = cli("check", str(f), "--lang", "en")
    assert r.code == 2
    assert ": yaml_syntax: " in r.err.splitlines()[0]


def test_text_starting_with_an_ampersand_is_not_silently_cut_to_an_anchor(cli, tmp_path):
    # `ja: &注意 区分` would load as the text 区分 under an anchor named 注意: the & word lost
    text, n = _policy("      ja: &注意 区分")
    f = tmp_path / "p.yaml"
    f.write_text(text, "utf-8")
    ja, en = cli("check", str(f), "--lang", "ja"), cli("check", str(f), "--lang", "en")
    assert ja.code == en.code == 2
    assert ja.err.splitlines()[0] == (f"{f}:{n}:11: yaml_unquoted_text: YAML は &注意 区分 の「&注意」をアンカー"
                                      "（*注意 で同じ値を使い回すための名前）と読み、文字列から外しますが、*注意 はどこにも"
                                      'ありません。文字列なら引用符で囲んでください: ja: "&注意 区分"')
    assert en.err.splitlines()[0].endswith('nothing uses *注意; if it is text, quote it: ja: "&注意 区分"')
    fixed = text.replace("ja: &注意 区分", 'ja: "&注意 区分"')
    assert load_policy("p.yaml", fixed).facts["tier"].spec["label"]["ja"] == "&注意 区分"


def test_an_anchor_that_an_alias_uses_and_an_ampersand_inside_text_are_not_mistakes():
    shared = _policy("      ja: &tier_ja 区分")[0].replace("results: [tier_copy]", "results: [tier_copy]\nx_note: *tier_ja")
    from engine.base.diagnostics import YokoError
    with pytest.raises(YokoError) as e:  # x_note is not a policy key: a schema error, not a quoting one
        load_policy("p.yaml", shared)
    assert {d.code for d in e.value.diagnostics} == {"policy_schema"}
    text = _policy("      ja: R&D 区分 & その他  # 研究&開発")[0]
    assert load_policy("p.yaml", text).facts["tier"].spec["label"]["ja"] == "R&D 区分 & その他"
