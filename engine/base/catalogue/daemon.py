# SPDX-License-Identifier: MIT
"""Words of the resident process, `yoko daemon start|stop|status` (`daemon.*`)."""
from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "daemon.started": ("常駐プロセスを開始しました（pid {pid}、ソケット {socket}）。コマンドが来ないまま {idle} 分たつと終了します",
                       "started the resident process (pid {pid}, socket {socket}); it stops after {idle} minutes "
                       "without a command"),
    "daemon.already": ("常駐プロセスはすでに動いています（pid {pid}、ソケット {socket}）",
                       "the resident process is already running (pid {pid}, socket {socket})"),
    "daemon.not_started": ("常駐プロセスを開始できませんでした（ソケット {socket}）。記録: {log}",
                           "could not start the resident process (socket {socket}); its log: {log}"),
    "daemon.folder_not_private": ("{folder} は他のユーザーも開けるフォルダなので、常駐プロセスのソケットを置けません（所有者だけが開ける 0700 にしてください）",
                                  "{folder} can be opened by other users, so the resident process's socket cannot go there "
                                  "(make it the owner's alone: mode 0700)"),
    "daemon.path_too_long": ("ソケットのパス {socket} が {limit} バイトを超えます。YOKO_DAEMON_DIR に短いフォルダを指定してください",
                             "the socket path {socket} is longer than {limit} bytes; set YOKO_DAEMON_DIR to a shorter folder"),
    "daemon.running": ("常駐プロセスが動いています（pid {pid}、ソケット {socket}、{since} から {served} 件のコマンドを実行）",
                       "the resident process is running (pid {pid}, socket {socket}; since {since}, command lines run: {served})"),
    "daemon.not_running": ("常駐プロセスは動いていません（ソケット {socket}）", "no resident process is running (socket {socket})"),
    "daemon.stopped": ("常駐プロセスを停止しました（pid {pid}）", "stopped the resident process (pid {pid})"),
    "daemon.no_answer": ("常駐プロセス（ソケット {socket}）が {seconds} 秒以内に応答しません。"
                         "yoko daemon stop で止めるか、YOKO_DAEMON=off を付けて実行してください",
                         "the resident process (socket {socket}) did not answer within {seconds} s; stop it with "
                         "`yoko daemon stop` or run with YOKO_DAEMON=off"),
    "daemon.lost": ("常駐プロセスでのコマンドの実行が、終了コードを返さずに終わりました",
                    "the command's process in the resident process ended without an exit status"),
}
