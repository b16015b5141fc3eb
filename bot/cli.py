"""Command-line commands. Each builds only what it needs from the knowledge base."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from bot import knowledge

log = logging.getLogger("bot")


def _load(args: argparse.Namespace) -> knowledge.KnowledgeBase:
    return knowledge.load(Path(args.knowledge))


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.adapters import terminal
    from bot.conversation import Conversation

    if os.environ.get("TELEGRAM_BOT_TOKEN") and args.command is None:
        print("TELEGRAM_BOT_TOKEN is set, but the Telegram front end is not built yet; "
              "starting the terminal chat.", file=sys.stderr)
    return terminal.run(Conversation(_load(args)))


def cmd_check(args: argparse.Namespace) -> int:
    try:
        kb = _load(args)
    except knowledge.KnowledgeError as exc:
        print(f"INVALID: {len(exc.problems)} problem(s) in the knowledge base:")
        for problem in exc.problems:
            print(f"  - {problem}")
        return 1
    print(f"OK: {len(kb.areas)} area(s) ({', '.join(a.info.name for a in kb.areas.values())}), "
          f"{len(kb.services)} services, {len(kb.contacts)} contacts, {len(kb.topics)} topics, "
          f"{len(kb.messages)} messages.")
    stale = knowledge.stale_contacts(kb)
    if stale:
        print(f"{len(stale)} contact(s) to re-check before relying on them:")
        for file, contact_id, reason in stale:
            contact = kb.contacts[contact_id]
            print(f"  - {file}: {contact_id} ({contact.value}; source: {contact.provenance.source}): {reason}")
    else:
        print("All contacts checked within the last 12 months.")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from bot.classify import run
    from bot.understand import Understander

    return run(Understander(_load(args)), sys.stdin, sys.stdout, sys.stderr)


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import run

    return run(_load(args), args.what, args.messages)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_bot.py", description=__doc__)
    parser.add_argument("--knowledge", default=os.environ.get("BOT_KNOWLEDGE_DIR", str(knowledge.DEFAULT_DIR)),
                        help="knowledge base directory (default: knowledge/, or $BOT_KNOWLEDGE_DIR)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("chat", help="chat in the terminal (the default)")
    sub.add_parser("check", help="validate the knowledge base and list contacts to re-check")
    sub.add_parser("classify", help="JSON lines in, crisis/topics/grouping lines out")
    bench = sub.add_parser("bench", help="print speed figures")
    bench.add_argument("what", choices=("classify", "engine"), nargs="?", default="classify")
    bench.add_argument("--messages", type=int, default=10000)
    return parser


def main(argv: list[str]) -> int:
    logging.basicConfig(level=os.environ.get("BOT_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    commands = {None: cmd_chat, "chat": cmd_chat, "check": cmd_check,
                "classify": cmd_classify, "bench": cmd_bench}
    try:
        return commands[args.command](args)
    except knowledge.KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
