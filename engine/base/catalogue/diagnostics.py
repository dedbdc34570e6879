# SPDX-License-Identifier: MIT
"""Diagnostic messages: `diag.<code>[.<shape>]`, lowercase, no final period, saying what was expected
and what was found. Build them with engine.base.diagnostics.diag(code, location, key=..., **params)."""

WORDS = {
    # --- issue 12 (robustness): new codes, appended here
    "diag.not_a_file": ("通常のファイルではありません（{kind}）。ファイルを指定してください",
                        "not a regular file ({kind}); name a file"),
    "diag.not_a_file.directory": ("フォルダ", "a directory"),
    "diag.not_a_file.fifo": ("名前付きパイプ", "a named pipe"),
    "diag.not_a_file.device": ("デバイス", "a device"),
    "diag.not_a_file.socket": ("ソケット", "a socket"),
    "diag.not_a_file.special": ("特殊なファイル", "a special file"),
    "diag.out_of_memory": ("入力が大きすぎてメモリが足りなくなりました。入力を小さく分けてください",
                           "the input needs more memory than there is; split it into smaller inputs"),
    "diag.too_deeply_nested": ("入力の入れ子が深すぎて処理できません",
                               "the input is nested too deeply to be read"),
    "diag.bad_text": ("文字として扱えない文字列が入力にあります（{detail}）",
                      "the input holds text that is not valid characters ({detail})"),
}
