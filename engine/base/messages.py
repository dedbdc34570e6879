# SPDX-License-Identifier: MIT
"""Japanese messages for diagnostics: per code, the English message's shape and its Japanese form.

Messages are built as English f-strings where the problem is found (in many modules). Rather
than thread a second string through each of them, this catalogue reads the parameters back
out of the English message with one pattern per message shape and fills a Japanese template.
Where a module already gives `message_ja` (engine.facts, engine.todo) that wins.
tests/test_japanese_diagnostics.py checks that every broken and hostile input renders in
Japanese, so a changed English message that no pattern matches is caught there.
"""
from __future__ import annotations

import re

_KIND = {"fact": "事実", "parameter": "パラメータ", "rule": "ルール", "facts": "事実", "parameters": "パラメータ",
         "rules": "ルール"}
_TYPE = {"bool": "真偽値", "boolean": "真偽値", "int": "整数", "integer": "整数", "number": "数値", "text": "文字列",
         "date": "日付", "list": "リスト", "record": "レコード", "any": "任意の型", "string": "文字列",
         "object": "マッピング", "array": "リスト", "null": "null", "numbers": "数値", "booleans": "真偽値"}


def _t(s: str) -> str:
    """A type name in Japanese where it is a simple one (int, list of int ...), else as is."""
    s = s.strip()
    if s in _TYPE:
        return _TYPE[s]
    m = re.fullmatch(r"list of (.+)", s)
    if m:
        return f"{_t(m.group(1))}のリスト"
    if " or " in s:
        return "または".join(_t(x) for x in s.split(" or "))
    return s


def _k(s: str) -> str:
    return _KIND.get(s, s)


_EXPECTED = {"an operand (a number, a name, a string, '(' ...)": "オペランド（数・名前・文字列・'(' など）",
             "an operand or operator": "オペランドか演算子", "end of expression": "式の終わり",
             "a name": "名前", "a number": "数", "a string": "文字列", "a date": "日付", "the file": "ファイル全体"}


def _e(s: str) -> str:
    """Parser wording (expected tokens) in Japanese."""
    return ", ".join(_EXPECTED.get(x.strip(), x.strip()) for x in s.split(", ")) if s not in _EXPECTED \
        else _EXPECTED[s]


# code -> [(English pattern, Japanese template)]; {name} fields come from the pattern's groups,
# {t:name} renders a type, {k:name} a kind (fact/parameter/rule).
CATALOGUE: dict[str, list[tuple[str, str]]] = {
    # YAML and files ----------------------------------------------------------------
    "file_unreadable": [(r"cannot read file: (?P<why>.*)", "ファイルを読めません: {why}")],
    "file_too_large": [(r"file is larger than (?P<n>[\d,]+) bytes", "ファイルが {n} バイトを超えています")],
    "not_utf8": [(r"file is not UTF-8 text: byte (?P<b>0x[0-9a-f]+) cannot be decoded",
                  "ファイルが UTF-8 ではありません（バイト {b} を読めません）。UTF-8 で保存し直してください"),
                 (r"(?P<p>.+) at (?P<rev>.+) is not UTF-8 text", "{rev} 時点の {p} が UTF-8 ではありません")],
    "yaml_syntax": [(r"(?P<x>.+) is not a calendar date", "{x} は暦にない日付です"),
                    (r"(?P<x>.*) \(tabs cannot indent YAML; use spaces\)",
                     "YAML の字下げにタブは使えません。空白を使ってください（{x}）"),
                    (r"(?P<x>.*)", "YAML として読めません: {x}")],
    "duplicate_key": [(r'duplicate key (?P<k>".*")', "キー {k} が重複しています"),
                      (r"duplicate key", "キーが重複しています")],
    "yaml_tag": [(r"YAML tag (?P<tag>.+) is not allowed; write plain values",
                  "YAML タグ {tag} は使えません。値をそのまま書いてください")],
    "yaml_too_large": [(r"the document expands to more than (?P<n>[\d,]+) values \(aliases repeated too often\?\)",
                        "文書を展開すると {n} 個を超える値になります（エイリアスの繰り返しが多すぎます）")],
    "yaml_recursive_alias": [(r"an alias refers to the value that contains it; a value cannot contain itself",
                              "エイリアスが自分を含む値を参照しています。値は自分自身を含めません")],
    "yaml_too_deep": [(r"the document is nested more than (?P<n>\d+) levels deep",
                       "文書の入れ子が {n} 段を超えています")],
    # numbers and limits -------------------------------------------------------------
    "number_too_large": [
        (r"a number has thousands of digits; numbers are limited to 10\^30",
         "数が数千桁あります。数は 10^30 までです"),
        (r"the number (?P<n>\S+) is larger than 10\^30", "数 {n} は 10^30 を超えています"),
        (r"the number (?P<n>\S+) has more than 30 decimal places", "数 {n} の小数点以下が 30 桁を超えています"),
        (r"a number in the value is larger than 10\^30 or has more than 30 decimal places",
         "値の中の数が 10^30 を超えているか、小数点以下が 30 桁を超えています"),
        (r"a number exceeds the limit of 10\^30: (?P<n>\S+)", "数が上限 10^30 を超えました: {n}"),
    ],
    "list_too_long": [
        (r"a list literal has (?P<n>[\d,]+) items; the limit is (?P<max>[\d,]+) \(use a parameter\)",
         "リストの要素が {n} 個あります。上限は {max} 個です（パラメータにしてください）"),
        (r"a list in the value has (?P<n>[\d,]+) items; the limit is (?P<max>[\d,]+)",
         "値の中のリストの要素が {n} 個あります。上限は {max} 個です"),
    ],
    "expr_too_long": [(r"expression is (?P<n>[\d,]+) characters long; the limit is (?P<max>[\d,]+)",
                       "式が {n} 文字あります。上限は {max} 文字です")],
    "expr_too_deep": [(r"expression is nested more than (?P<n>\d+) levels deep; split it into rules",
                       "式の入れ子が {n} 段を超えています。ルールに分けてください"),
                      (r"expression is nested too deeply", "式の入れ子が深すぎます"),
                      (r"rule (?P<r>\S+) is nested too deeply to evaluate", "ルール {r} は入れ子が深すぎて評価できません")],
    "loops_too_deep": [(r"loops \(for \.\.\. in\) are nested more than (?P<n>\d+) deep; split the inner one into a rule",
                        "繰り返し（for ... in）の入れ子が {n} 段を超えています。内側をルールに分けてください")],
    # expressions --------------------------------------------------------------------
    "expr_syntax": [
        (r"unexpected character '(?P<c>.*)' \(use == to compare\)",
         "予期しない文字 '{c}' があります（比較には == を使います）"),
        (r"unexpected character '(?P<c>.*)'", "予期しない文字 '{c}' があります"),
        (r"expression ends too early; expected (?P<e>.+)", "式が途中で終わっています。{e:e}が必要です"),
        (r"unexpected (?P<tok>.+); expected (?P<e>.+)", "{tok:e} はここに書けません。{e:e}が必要です"),
        (r"(?P<d>\S+) is not a valid date", "{d} は正しい日付ではありません"),
        (r"(?P<f>\S+)\(\.\.\. for \.\.\.\) needs one of (?P<l>.+)", "{f}(... for ...) には {l} のいずれかが必要です"),
        (r"field (?P<f>\S+) is given twice", "項目 {f} が二度書かれています"),
    ],
    "unknown_name": [(r"unknown name (?P<n>\S+)", "{n} という名前はありません"),
                     (r"policy (?P<p>\S+) (?P<y>\d+) has no rule, parameter or fact (?P<n>\S+)",
                      "政策 {p} {y} 年度にルール・パラメータ・事実 {n} はありません")],
    "unknown_field": [(r"record has no field (?P<f>\S+)", "レコードに項目 {f} はありません")],
    "unknown_function": [(r"unknown function (?P<f>\S+)", "{f} という関数はありません")],
    "bad_arity": [(r"(?P<f>\S+) takes (?P<n>.+?) arguments? but got (?P<g>\d+)",
                   "{f} の引数は {n} 個ですが {g} 個あります")],
    "type_mismatch": [
        (r"operand (?P<i>\d) of (?P<op>\S+) must be number but got (?P<t>.+?) \(dates: use add_days, days_between\)",
         "{op} の第{i}オペランドは数値でなければなりませんが {t:t} です（日付には add_days, days_between を使います）"),
        (r"operand (?P<i>\d) of (?P<op>\S+) must be number but got (?P<t>.+)",
         "{op} の第{i}オペランドは数値でなければなりませんが {t:t} です"),
        (r"operand of (?P<op>\S+) must be (?P<w>\S+) but got (?P<t>.+)",
         "{op} のオペランドは{w:t}でなければなりませんが {t:t} です"),
        (r"operands of (?P<op>\S+) must be numbers or dates but got (?P<t>.+)",
         "{op} のオペランドは数値か日付でなければなりませんが {t:t} です"),
        (r"cannot compare (?P<a>.+) with (?P<b>.+)", "{a:t} と {b:t} は比較できません"),
        (r"cannot look for (?P<a>.+) in a (?P<b>.+)", "{b:t} の中から {a:t} は探せません"),
        (r"right side of in must be a list but got (?P<t>.+)", "in の右辺はリストでなければなりませんが {t:t} です"),
        (r"list items must have one type but got (?P<a>.+) and (?P<b>.+)",
         "リストの要素は同じ型でなければなりませんが {a:t} と {b:t} があります"),
        (r"field access \.(?P<f>\S+) needs a record but got (?P<t>.+)",
         "項目の参照 .{f} にはレコードが必要ですが {t:t} です"),
        (r"is (?P<k>true|false) needs a boolean but got (?P<t>.+)", "is {k} には真偽値が必要ですが {t:t} です"),
        (r"condition of if must be boolean but got (?P<t>.+)", "if の条件は真偽値でなければなりませんが {t:t} です"),
        (r"both branches of if must have one type but got (?P<a>.+) and (?P<b>.+)",
         "if の二つの分岐は同じ型でなければなりませんが {a:t} と {b:t} です"),
        (r"argument (?P<i>\d+) of (?P<f>\S+) must be (?P<w>.+) but got (?P<t>.+)",
         "{f} の第{i}引数は{w:t}でなければなりませんが {t:t} です"),
        (r"for \.\.\. in needs a list but got (?P<t>.+)", "for ... in にはリストが必要ですが {t:t} です"),
        (r"the if of a for must be boolean but got (?P<t>.+)", "for の if は真偽値でなければなりませんが {t:t} です"),
        (r"(?P<f>sum|any|all|min|max) needs (?P<w>numbers|booleans|numbers or dates) but got (?P<t>.+)",
         "{f} には{w:t}が必要ですが {t:t} です"),
        (r"rule (?P<r>\S+) is declared (?P<d>\S+) but its expression gives (?P<t>.+)",
         "ルール {r} は {d:t} と宣言されていますが、式の結果は {t:t} です"),
        (r"(?P<w>.+) must be (?P<want>\S+) but its expression gives (?P<t>.+)",
         "{w} は{want:t}でなければなりませんが、式の結果は {t:t} です"),
    ],
    "bad_enum_value": [(r'"(?P<v>.*)" is not a possible value; expected one of (?P<l>.+)',
                        "「{v}」はとりうる値ではありません。{l} のいずれかです")],
    # policies -----------------------------------------------------------------------
    "policy_schema": [
        (r"the file is empty; a policy is a mapping of keys", "ファイルが空です。政策はキーと値の対応（マッピング）です"),
        (r"a policy must be a mapping of keys but this file is a (?P<k>\S+)",
         "政策はキーと値の対応（マッピング）でなければなりませんが、このファイルは {k:t} です"),
        (r"(?P<w>the file|\S+): '(?P<k>[^']+)' is required", "{w:w}: '{k}' は必須です"),
        (r"(?P<w>the file|\S+): unknown key: (?P<m>.+)", "{w:w}: 知らないキーです: {m}"),
        (r"(?P<w>the file|\S+) must be (?P<want>.+?) but got (?P<g>.+)", "{w:w} は {want:t} でなければなりませんが {g} です"),
        (r"(?P<w>the file|\S+): (?P<m>.+)", "{w:w}: スキーマに合いません: {m}"),
    ],
    "bad_parameter": [
        (r"parameter value cannot be used: (?P<n>\S+) is not a finite number",
         "パラメータの値を使えません: {n} は有限の数ではありません"),
        (r"parameter value cannot be used: (?P<m>.+)", "パラメータの値を使えません: {m}"),
        (r"a table's rows must all have the same fields of the same types",
         "表の各行は同じ項目を同じ型で持たなければなりません"),
        (r"parameter is declared (?P<d>\S+) but its value is (?P<t>.+)",
         "パラメータは {d:t} と宣言されていますが、値は {t:t} です"),
    ],
    "undefined_result": [(r"result (?P<r>\S+) is not defined by any rule", "結果 {r} を定義するルールがありません")],
    "non_integral_money": [
        (r"result (?P<r>\S+) is in yen but may not be whole yen; round it \(round_down, floor\)",
         "結果 {r} は円単位ですが 1 円未満の端数が出ることがあります。端数を処理してください（round_down, floor）"),
        (r"result (?P<r>\S+) is (?P<v>\S+) yen, not whole yen; the policy must round it",
         "結果 {r} が {v} 円で、1 円未満の端数があります。政策で端数を処理してください"),
    ],
    "name_clash": [
        (r"(?P<n>\S+) is a reserved word and cannot name a (?P<k>\S+)", "{n} は予約語なので{k:k}の名前にできません"),
        (r"(?P<n>\S+) is both a (?P<a>\S+) and a (?P<b>\S+)", "{n} が{a:k}と{b:k}の両方に使われています"),
        (r"loop variable (?P<n>\S+) hides a fact, parameter or rule of that name",
         "繰り返しの変数 {n} が同じ名前の事実・パラメータ・ルールを隠しています"),
        (r"(?P<k>\S+) (?P<n>\S+) is already defined by (?P<b>.+?) \((?P<at>.+)\); to replace it, put it under "
         r"override: (?P<s>\S+):",
         "{k:k} {n} は {b} ですでに定義されています（{at}）。置き換えるには override: {s}: の下に書いてください"),
    ],
    "rule_cycle": [(r"rules depend on each other in a cycle: (?P<c>.+)", "ルールが循環して依存しています: {c}")],
    "unused_fact": [(r"fact (?P<n>\S+) is declared but no rule reads it", "事実 {n} は宣言されていますが、どのルールも読みません")],
    "unused_parameter": [(r"parameter (?P<n>\S+) is declared but no rule reads it",
                          "パラメータ {n} は宣言されていますが、どのルールも読みません")],
    "extends_cycle": [(r"policies extend each other in a cycle: (?P<c>.+)", "政策が循環して継承しています: {c}")],
    "extends_too_long": [(r"the chain of extends is longer than (?P<n>\d+) policies (?P<rest>.*)",
                          "extends の連鎖が {n} 件を超えています {rest}")],
    "extends_missing": [(r"the base policy (?P<p>\S+) (?P<y>\S+) is not found \(looked next to this file and in the "
                         r"policy folders\)", "継承元の政策 {p} {y} が見つかりません（このファイルの隣と政策フォルダを探しました）"),
                        (r"(?P<f>\S+) holds (?P<a>\S+ \S+), not (?P<b>\S+ \S+)", "{f} は {a} で、{b} ではありません")],
    "override_missing": [(r"cannot (?P<v>drop|override) (?P<k>\S+) (?P<n>\S+): (?:the base )?(?P<b>.+) has no such "
                          r"(?P<k2>\S+)", "{k:k} {n} を{v:v}できません: 継承元 {b} にそのような{k2:k}はありません")],
    "dropped_still_used": [(r"(?P<k>\S+) (?P<n>\S+) is dropped but rule (?P<r>\S+) \((?P<at>.+)\) still reads it; "
                            r"override (?P<r2>\S+) too",
                            "{k:k} {n} は削除されましたが、ルール {r}（{at}）がまだ読んでいます。{r2} も override してください")],
    # evaluation ---------------------------------------------------------------------
    "division_by_zero": [(r"division by zero", "0 で割っています")],
    "empty_aggregate": [(r"min/max of an empty list", "空のリストの min/max です"),
                        (r"first of an empty list; test the list with empty\(\.\.\.\) first",
                         "空のリストの first です。先に empty(...) で確かめてください")],
    "bad_argument": [(r"rounding unit must be positive but got (?P<u>\S+)", "端数処理の単位は正でなければなりませんが {u} です"),
                     (r"date\((?P<a>.+)\) is not a calendar date", "date({a}) は暦にない日付です")],
    "date_out_of_range": [(r"date arithmetic leaves the calendar \(years 1-9999\)",
                           "日付の計算が暦の範囲（1～9999 年）を超えました")],
    # facts (engine.facts gives message_ja itself; these cover the same shapes from other readers)
    "facts_syntax": [(r"(?P<x>.+) is not a calendar date", "{x} は暦にない日付です"),
                     (r"a facts file must be a mapping.*", "事実のファイルは「事実名: 値」の対応（マッピング）でなければなりません"),
                     (r"(?P<x>.*) \(tabs cannot indent YAML; use spaces\)",
                      "YAML の字下げにタブは使えません。空白を使ってください（{x}）"),
                     (r"(?P<x>.*)", "事実のファイルを YAML/JSON として読めません: {x}")],
    "unknown_fact": [(r"(?P<n>\S+) is not a fact of policy (?P<p>\S+) (?P<y>\d+)(?: \(did you mean (?P<h>\S+)\?\))?",
                      "{n} は政策 {p} {y} 年度の事実ではありません")],
    "bad_fact": [
        (r"(?P<n>\S+) must be (?P<w>a whole number|a number) but got (?P<g>.+?); write (?P<x>\S+) as a number, "
         r"without (?P<what>.+)", "{n} は{w:t}でなければなりませんが {g} です。{what:o}を使わずに {x} と書いてください"),
        (r"(?P<n>\S+) must be at least (?P<v>\S+) but got (?P<g>\S+)", "{n} は {v} 以上でなければなりませんが {g} です"),
        (r"(?P<n>\S+) must be at most (?P<v>\S+) but got (?P<g>\S+)", "{n} は {v} 以下でなければなりませんが {g} です"),
        (r"(?P<n>\S+) must be (?P<w>a whole number|a number|true or false|text|a date) but got (?P<g>.+)",
         "{n} は{w:t}でなければなりませんが {g} です"),
        (r"(?P<n>\S+) must be one of (?P<l>.+) but got (?P<g>.+)", "{n} は {l} のいずれかでなければなりませんが {g} です"),
    ],
    # mappings, policy tests, the command line
    "mapping_policy": [(r"mapping is written for (?P<what>policy|fiscal year) (?P<a>\S+) but the run uses (?P<b>\S+)",
                        "この対応表は {a} 用ですが、実行している政策は {b} です")],
    "duplicate_case": [(r"two cases are named (?P<n>.+) \(the other is at line (?P<l>\d+)\)",
                        "同じ名前 {n} のケースが二つあります（もう一つは {l} 行目）")],
    "unknown_result": [(r"(?P<n>\S+) is not a public result of policy (?P<p>\S+) (?P<y>\d+)",
                        "{n} は政策 {p} {y} 年度の公開された結果ではありません")],
    "unknown_policy": [(r"no policy with id (?P<p>\S+)", "ID が {p} の政策はありません")],
    "bad_year": [(r"cannot read (?P<t>.+) as a fiscal year; write 2022, R4 or 令和4",
                  "{t} を年度として読めません。2022、R4、令和4 のように書いてください")],
    "bad_date": [(r'"(?P<t>.+)" is not a calendar date', "「{t}」は暦にない日付です")],  # built by diag(); kept for the doc test
    "no_policy_in_force": [(r"no version of (?P<p>\S+) applies on (?P<d>\S+); it has (?P<s>.+)",
                            "{d} に適用される {p} の版はありません（あるのは {s}）")],
    "policy_exists": [(r"policy (?P<p>.+) already exists: (?P<f>.+)", "政策 {p} はすでにあります: {f}")],
    "file_exists": [(r"(?P<f>.+) already exists; not overwriting it", "{f} はすでにあるので上書きしません")],
    "unfilled_todo": [(r"(?P<k>\S+) is still to be filled in: (?P<v>.+)", "{k} が未記入: {v}")],
    # source text and clause coverage (engine.policy.sources, engine.review.clauses)
    "source_schema": [(r"a source file must be a mapping of keys", "原文ファイルはキーのマッピングでなければなりません"),
                      (r"(?P<w>\S+): (?P<x>.+)", "{w}: 原文ファイルの形式に合いません（{x}）")],
    "duplicate_clause": [(r"(?P<d>\S+): two clauses have the key (?P<k>.+)", "{d}: キー {k} の条項が二つあります")],
    "source_mismatch": [
        (r"the source text is for (?P<a>\S+) (?P<ay>\d+), not (?P<b>\S+) (?P<by>\d+)",
         "原文ファイルは {a} {ay} 年度のもので、{b} {by} 年度のものではありません"),
        (r"the source text has no document (?P<d>\S+)", "原文ファイルに文書 {d} がありません"),
        (r"sources/(?P<d>[^/]+)/(?P<f>\w+) is (?P<a>.+) but the source text says (?P<b>.+)",
         "sources/{d}/{f} は {a} ですが、原文ファイルでは {b} です"),
    ],
    "unknown_clause": [
        (r"citation names no clause of the source text: the source text has no document (?P<d>\S+)",
         "引用が原文のどの条項も指していません: 原文ファイルに文書 {d} がありません"),
        (r"citation names no clause of the source text: (?P<d>\S+) has (?P<c>\d+) articles numbered (?P<n>\d+); "
         r"name one by heading or occurrence",
         "引用が原文のどの条項も指していません: {d} には第{n}条が {c} つあります。heading か occurrence で一つを指してください"),
        (r"citation names no clause of the source text: (?P<d>\S+) has no article (?P<n>\d+)",
         "引用が原文のどの条項も指していません: {d} に第{n}条はありません"),
        (r"citation names no clause of the source text: (?P<d>\S+) has no article (?P<n>\d+) \((?P<x>.+)\)",
         "引用が原文のどの条項も指していません: {d} に第{n}条（{x}）はありません"),
        (r"citation names no clause of the source text: (?P<d>\S+) has no clause (?P<k>.+)",
         "引用が原文のどの条項も指していません: {d} に条項 {k} はありません"),
        (r"citation names no clause of the source text: (?P<d>\S+): (?P<k>.+) is not on page (?P<p>\d+)",
         "引用が原文のどの条項も指していません: {d} の {k} は {p} ページにありません"),
    ],
    "quote_not_found": [(r'quote "(?P<q>.*)" is not in the cited clause (?P<k>.+)',
                         "引用句「{q}」が引用した条項 {k} にありません")],
    "clause_not_covered": [(r"(?P<c>.+) is accounted for by no rule, note or out_of_scope note",
                            "{c} を扱うルール・注記・対象外の注記がありません")],
    "fact_normalised": [(r"(?P<n>\S+): read \"(?P<v>.+)\" as (?P<d>\S+)", "{n}: 「{v}」を {d} と読みました")],
    # authoring (these are built from engine/base/catalogue/authoring.py; the shapes serve docs/errors.md)
    "patch_fields": [(r"fields: can add fields only to a record fact or a list of records",
                      "fields: で項目を足せるのは record の事実か、record のリストの事実だけです")],
    "cite_map_unused": [(r"no inherited citation matches this cite_map entry's from",
                         "この cite_map の from に合う継承した引用がありません")],
    "too_many_rows": [(r"the table has more than (?P<n>[\d,]+) rows; this server takes at most (?P<m>[\d,]+) "
                       r"\(yoko serve --max-rows\)", "表が {n} 行を超えています。このサーバーが受け付けるのは {m} 行までです"
                                                    "（yoko serve --max-rows）")],
}
_TYPE.update({"a whole number": "整数", "a number": "数値", "true or false": "true か false", "a date": "日付",
              "numbers or dates": "数値か日付"})

# Codes whose messages stay English under --lang ja: their detail is free text from a library or the
# command line (csv, openpyxl, git, argparse wording), which a Japanese lead would only half translate.
ENGLISH_ONLY = frozenset({"mapping_syntax", "mapping_schema", "unknown_column", "batch_format", "batch_read", "batch_write", "bad_row",
                          "tests_syntax", "usage", "git_revision", "where_unknown"})

_RUNTIME = re.compile(r"(?P<m>.+) while evaluating rule (?P<r>[^\s;]+)(?:; it read (?P<f>.+))?")
_COMPILED: dict[str, list[tuple[re.Pattern, str]]] = {}


def _patterns(code: str) -> list[tuple[re.Pattern, str]]:
    if code not in _COMPILED:
        _COMPILED[code] = [(re.compile(p, re.S), t) for p, t in CATALOGUE.get(code, ())]
    return _COMPILED[code]


def _fill(template: str, groups: dict) -> str:
    def one(m):
        name, _, conv = m.group(1).partition(":")
        v = groups.get(name) or ""
        return {"t": _t, "k": _k, "e": _e, "w": _e, "v": _VERB.get, "o": _or_list}.get(conv, str)(v)
    return re.sub(r"\{(\w+(?::[tkewvo])?)\}", one, template)


_VERB = {"drop": "削除", "override": "上書き（override）"}
_WITHOUT = {"quotes": "引用符", "commas": "桁区切りのカンマ", "full-width digits": "全角数字"}


def _or_list(s: str) -> str:
    return "・".join(_WITHOUT.get(x, x) for x in s.split(" or "))


def japanese(code: str, message: str) -> str | None:
    """The Japanese form of an English diagnostic message, or None when the catalogue has none."""
    runtime = _RUNTIME.fullmatch(message)
    if runtime:
        inner = japanese(code, runtime.group("m"))
        if not inner:
            return None
        read = f"。読んだ事実: {runtime.group('f')}" if runtime.group("f") else ""
        return f"{inner}（ルール {runtime.group('r')} の評価中{read}）"
    for pattern, template in _patterns(code):
        m = pattern.fullmatch(message)
        if m:
            return _fill(template, m.groupdict())
    return None
