"""Command-line commands. Each builds only what it needs from the knowledge base."""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

from bot import knowledge
from bot.learn import ModelError

log = logging.getLogger("bot")


def _load(args: argparse.Namespace) -> knowledge.KnowledgeBase:
    return knowledge.load(Path(args.knowledge))


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.adapters import terminal
    from bot.conversation import Conversation

    if os.environ.get("TELEGRAM_BOT_TOKEN") and args.command is None:
        return cmd_telegram(args)
    conversation = Conversation(_load(args))
    if not getattr(args, "db", None):
        return terminal.run(conversation)
    from bot import demand

    with demand.running(args.db, retention_months=args.retention_months) as demand_log:
        return terminal.run(conversation, event_sink=demand_log.record)


def cmd_telegram(args: argparse.Namespace) -> int:
    from bot.adapters import telegram
    from bot.conversation import Conversation

    try:
        config = telegram.TelegramConfig.from_env()
    except ValueError as exc:
        print(f"Cannot start the Telegram bot: {exc}", file=sys.stderr)
        return 2
    if "BOT_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.INFO)
    conversation = Conversation(_load(args))
    from bot import demand

    # The live bot always feeds the anonymised demand log (channel "telegram").
    db = getattr(args, "db", None) or os.environ.get("BOT_DEMAND_DB") or demand.DEFAULT_DB
    months = getattr(args, "retention_months", None) or int(
        os.environ.get("BOT_RETENTION_MONTHS") or demand.DEFAULT_RETENTION_MONTHS)
    config = dataclasses.replace(config, demand_db=Path(db))
    with demand.running(db, retention_months=months) as demand_log:
        return telegram.run(conversation, config, event_sink=demand_log.record)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        kb = _load(args)
    except knowledge.KnowledgeError as exc:
        print(f"INVALID: {len(exc.problems)} problem(s) in the knowledge base:")
        for problem in exc.problems:
            print(f"  - {problem}")
        return 1
    from bot.learn.model import LearnedReader

    try:
        reader = LearnedReader.load(kb.root, kb.spellings)
    except ModelError as exc:
        print(f"INVALID: {exc}")
        return 1
    print(f"OK: {len(kb.areas)} area(s) ({', '.join(a.info.name for a in kb.areas.values())}), "
          f"{len(kb.services)} services, {len(kb.contacts)} contacts, {len(kb.topics)} topics, "
          f"{len(kb.messages)} messages.")
    print(f"Learned reader: trained on {reader.header['trained_on']} messages, matches the corpus "
          f"(data {reader.header['data_hash'][:12]}).")
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


def cmd_train(args: argparse.Namespace) -> int:
    from bot.learn import train
    from bot.learn.corpus import CorpusError

    kb = _load(args)
    if args.compare:
        from bot.learn import compare

        return compare.run(kb)
    try:
        train.build(kb, kb.root, Path(args.out) if args.out else None)
    except CorpusError as exc:
        print(f"INVALID corpus: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems[:50]:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from bot.learn import evaluate
    from bot.understand import Understander

    kb = _load(args)
    understander = Understander(kb, reader=None) if args.lexicon_only else Understander(kb)
    return evaluate.run(understander, args.files, args.validation, sys.stdout)


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what in ("demand", "report"):
        from bot.bench_demand import run as run_demand

        return run_demand(_load(args), args)
    if args.what == "telegram":
        from bot.bench_telegram import run as run_telegram

        return run_telegram(_load(args), users=args.users, updates=args.messages)
    from bot.bench import run

    return run(_load(args), args.what, args.messages)


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from bot import report

    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "md")
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in report.FORMATS:
        print(f"Unknown format {fmt!r}: use --format md, csv or html.", file=sys.stderr)
        return 2
    if args.since and args.until and args.since > args.until:
        print("--since is after --until.", file=sys.stderr)
        return 2
    if args.no_suppress:
        print("WARNING: small-number suppression is OFF (--no-suppress). Exact small counts are shown: "
              "NOT FOR PUBLICATION, internal use only.", file=sys.stderr)
    query = report.Query(since=args.since, until=args.until, area=args.area, suppress=not args.no_suppress)
    try:
        labels = report.labels_from_kb(_load(args))
    except knowledge.KnowledgeError:
        labels = report.default_labels()
    try:
        made = report.make_report(args.db, query, labels)
    except report.ReportError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    text = report.render(made, fmt)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {args.out} ({fmt}{', SIMULATED data' if made.simulated else ''}).", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from bot import simulate
    from bot.conversation import Conversation

    if args.journeys < 1 or args.weeks < 1:
        print("--journeys and --weeks must be at least 1.", file=sys.stderr)
        return 2
    from bot.demand import DEFAULT_DB

    live = Path(os.environ.get("BOT_DEMAND_DB", str(DEFAULT_DB))).resolve()
    if Path(args.db).resolve() == live:
        print(f"Refusing to simulate into the live demand database ({live}); give another --db.", file=sys.stderr)
        return 1
    try:
        journeys, events = simulate.run(args.db, Conversation(_load(args)), args.journeys, weeks=args.weeks,
                                        end=args.end, seed=args.seed)
    except simulate.MixingError as exc:
        print(f"Refusing to simulate: {exc}.", file=sys.stderr)
        return 1
    print(f"Wrote {journeys:,} SIMULATED journeys ({events:,} events) over {args.weeks} weeks to {args.db}.")
    print(f"See the report: python run_bot.py report --db {args.db}  (or --format html --out report.html)")
    return 0


def _add_db_option(parser: argparse.ArgumentParser, default: str, what: str) -> None:
    parser.add_argument("--db", default=default, metavar="PATH", help=f"{what} (default: {default})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run_bot.py", description=__doc__)
    parser.add_argument("--knowledge", default=os.environ.get("BOT_KNOWLEDGE_DIR", str(knowledge.DEFAULT_DIR)),
                        help="knowledge base directory (default: knowledge/, or $BOT_KNOWLEDGE_DIR)")
    sub = parser.add_subparsers(dest="command")
    from bot.demand import DEFAULT_DB, DEFAULT_RETENTION_MONTHS

    live_db = os.environ.get("BOT_DEMAND_DB", str(DEFAULT_DB))
    chat = sub.add_parser("chat", help="chat in the terminal (the default without TELEGRAM_BOT_TOKEN)")
    chat.add_argument("--db", metavar="PATH", default=None,
                      help=f"log this chat's anonymised demand (channel 'terminal') to PATH, e.g. {live_db}; "
                           "off by default so trying the bot does not add to the real figures")
    chat.add_argument("--retention-months", type=int, metavar="N",
                      default=int(os.environ.get("BOT_RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS)),
                      help="delete demand events older than N months (default: %(default)s, or "
                           "$BOT_RETENTION_MONTHS)")
    telegram = sub.add_parser("telegram", help="run the Telegram bot (the default with TELEGRAM_BOT_TOKEN set)")
    telegram.add_argument("--db", metavar="PATH", default=None,
                          help=f"the anonymised demand log the bot feeds (default: {live_db}, or $BOT_DEMAND_DB)")
    telegram.add_argument("--retention-months", type=int, metavar="N", default=None,
                          help="delete demand events older than N months (default: $BOT_RETENTION_MONTHS or 24)")
    sub.add_parser("check", help="validate the knowledge base and list contacts to re-check")
    sub.add_parser("classify", help="JSON lines in, crisis/topics/grouping lines out")
    train = sub.add_parser("train", help="train the learned reader on knowledge/corpus; write knowledge/reader/")
    train.add_argument("--out", metavar="FILE", help="write the model here instead of knowledge/reader/model.npz")
    train.add_argument("--compare", action="store_true", help="compare candidate readers on the validation split")
    evaluate = sub.add_parser("evaluate", help="quality figures on labelled messages or conversations")
    evaluate.add_argument("files", nargs="*", help="JSON lines: labelled messages, or conversations")
    evaluate.add_argument("--validation", action="store_true", help="also the corpus's validation split")
    evaluate.add_argument("--lexicon-only", action="store_true", help="read with the lexicon alone")
    bench = sub.add_parser("bench", help="print speed figures")
    bench.add_argument("what", choices=("classify", "engine", "telegram", "demand", "report"), nargs="?",
                       default="classify")
    bench.add_argument("--events", type=int, default=None,
                       help="demand: events to write (default 200,000); report: events in the database "
                            "(default 1,000,000)")
    bench.add_argument("--db", metavar="PATH", default=None,
                       help="demand/report: database to use (default: a temporary file)")
    bench.add_argument("--users", type=int, default=50, help="telegram: people chatting at once")
    bench.add_argument("--messages", type=int, default=10000)
    report = sub.add_parser("report", help="demand report for commissioners (Markdown, CSV or HTML)")
    _add_db_option(report, live_db, "demand database")
    report.add_argument("--since", type=_date, metavar="DATE", help="first day, YYYY-MM-DD")
    report.add_argument("--until", type=_date, metavar="DATE", help="last day, YYYY-MM-DD")
    report.add_argument("--area", metavar="ID", help="one area only (an area id, 'elsewhere' or 'not-given')")
    report.add_argument("--format", choices=("md", "csv", "html"),
                        help="md (default), csv (one tidy table) or html (one file with charts)")
    report.add_argument("--out", metavar="FILE", help="write to FILE (format from its extension if not given)")
    report.add_argument("--no-suppress", action="store_true",
                        help="show exact small numbers: internal use only, never publish")
    simulated = sub.add_parser("simulate", help="fill a database with simulated journeys (marked simulated)")
    _add_db_option(simulated, str(DEFAULT_DB.parent / "simulated.sqlite"), "database to fill")
    simulated.add_argument("--journeys", type=int, default=2000, help="how many (default: %(default)s)")
    simulated.add_argument("--weeks", type=int, default=26, help="spread over this many weeks (default: %(default)s)")
    simulated.add_argument("--end", type=_date, metavar="DATE", help="last day (default: today)")
    simulated.add_argument("--seed", type=int, help="random seed, for the same journeys every time")
    return parser


def main(argv: list[str]) -> int:
    logging.basicConfig(level=os.environ.get("BOT_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    commands = {None: cmd_chat, "chat": cmd_chat, "telegram": cmd_telegram, "check": cmd_check,
                "classify": cmd_classify, "train": cmd_train, "evaluate": cmd_evaluate, "bench": cmd_bench, "report": cmd_report, "simulate": cmd_simulate}
    try:
        return commands[args.command](args)
    except knowledge.KnowledgeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except ModelError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
