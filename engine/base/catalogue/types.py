# SPDX-License-Identifier: MIT
"""Names of the expression language's types (`type.*`), as messages and `yoko show` print them."""

WORDS = {
    "type.bool": ("真偽値", "boolean"),
    "type.int": ("整数", "integer"),
    "type.number": ("数値", "number"),
    "type.text": ("文字列", "text"),
    "type.date": ("日付", "date"),
    "type.any": ("任意の型", "any"),
    "type.enum": ("列挙 {{{values}}}", "enum {{{values}}}"),
    "type.list": ("{elem}のリスト", "list of {elem}"),
    "type.record": ("レコード {{{fields}}}", "record {{{fields}}}"),
    "type.list_any": ("リスト", "list"),
    "type.list_of_numbers_or_dates": ("数値か日付のリスト", "a list of numbers or dates"),
    "type.numbers": ("数値", "numbers"),
    "type.booleans": ("真偽値", "booleans"),
    "type.numbers_or_dates": ("数値か日付", "numbers or dates"),
}
