"""`tsunagu staff add NAME --role admin` and `tsunagu directory load`: set up a real
deployment without the demo. The password is typed (getpass, twice) or read from stdin's
first line when stdin is not a terminal - never from argv, never logged."""
from __future__ import annotations

import argparse
import getpass
import sys

from models.staff import ROLES


def read_password(stdin=None) -> str:
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("パスワード: ")
        if getpass.getpass("もう一度: ") != first:
            raise SystemExit("パスワードが一致しません。")
        return first
    return stdin.readline().rstrip("\r\n")


def cmd_staff_add(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from console.accounts import AdminError, create_staff
    from console.app import create_app
    from models import Agency
    from models.audit import record_event
    from models.db import session_scope

    create_app(generate_secret=True)  # migrates; a throwaway key: no sessions here
    password = read_password()
    try:
        with session_scope() as db:
            agency_id = None
            if args.agency:
                agency = db.exec(select(Agency).where(Agency.code == args.agency)).first()
                if agency is None:
                    raise SystemExit(f"機関コード {args.agency!r} が見つかりません（tsunagu directory load で既定の一覧を登録できます）。")
                agency_id = agency.id
            # whoever runs this types the password themself (usually the first admin's own): not forced
            # to change it; accounts an admin makes in 管理 → 職員アカウント are (console/accounts.py)
            user = create_staff(db, None, args.name, args.display_name or args.name, args.role, password, agency_id,
                                must_change=False)
            record_event(db, "staff.cli_add", target_type="staff", target_id=user.id)
            print(f"職員アカウント {user.username}（{args.role}）を作りました。")
    except AdminError as error:
        print(str(error), file=sys.stderr)
        return 1
    return 0


def cmd_directory_load(args: argparse.Namespace) -> int:
    from console.app import create_app
    from console.directory import seed_directory
    from models.db import session_scope

    create_app(generate_secret=True)
    with session_scope() as db:
        added = seed_directory(db)
    print(f"既定の関係機関を {added} 件登録しました（登録済みのものはそのまま）。")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("staff", help="staff accounts for a real deployment")
    staff_sub = p.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create a staff account; the password is typed or read from stdin")
    add.add_argument("name", help="username (letters, digits, . _ -)")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--display-name", help="name shown in the console (default: the username)")
    add.add_argument("--agency", help="agency code (agency staff only)")
    add.set_defaults(func=cmd_staff_add)

    p = sub.add_parser("directory", help="the agency directory")
    dir_sub = p.add_subparsers(dest="directory_command", required=True)
    load = dir_sub.add_parser("load", help="add the default (八王子) agencies that are missing")
    load.set_defaults(func=cmd_directory_load)
