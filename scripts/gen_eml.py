#!/usr/bin/env python3
"""Generates realistic outbound .eml messages for the benchmark from the JSONL corpus.

Each message takes one e-mail record of the corpus as its body (plus a few chat turns quoted
below it, as helpdesk replies often do), with RFC 5322 headers. About a third are
multipart/alternative with an HTML part, a sixth are quoted-printable, a sixth base64.
Deterministic for the same arguments (Python standard library only).
"""
import argparse
import base64
import html
import json
import os
import quopri
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--maildir", action="store_true",
                    help="write a Maildir (cur/NNNNNN.bench:2,S, empty new/ and tmp/) instead of msg-NNNN.eml files")
    args = ap.parse_args()
    if args.maildir:
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    else:
        os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    mails, chats = [], []
    with open(args.jsonl, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            (mails if rec["channel"] == "email" else chats).append(rec["text"])
            if len(mails) >= args.count * 3 and len(chats) >= args.count * 20:
                break
    domains = ["gmail.com", "outlook.com", "btinternet.com", "icloud.com", "yahoo.co.uk", "example.org"]
    names = ["Sarah Jones", "Tom Patel", "Zoë Evans", "Siân Hughes", "Mark O'Neil", "Priya Shah"]
    for n in range(1, args.count + 1):
        body = "\n\n".join(rng.sample(mails, rng.randint(1, 4)))
        quoted = "\n".join("> " + t for t in rng.sample(chats, rng.randint(0, 12)))
        if quoted:
            body += "\n\nOn Tue, 4 Mar 2025 at 10:12, Customer wrote:\n" + quoted
        body = body.replace("\n", "\r\n") + "\r\n"
        to_name = rng.choice(names)
        to_addr = to_name.split()[0].lower().replace("ë", "e").replace("â", "a") + "@" + rng.choice(domains)
        headers = [
            "From: Oakhurst Support <support@oakhurst.example.co.uk>",
            f"To: {to_name} <{to_addr}>",
            f"Subject: Re: Your order H{rng.randint(100000, 999999)}",
            f"Date: Tue, {rng.randint(1, 28)} Mar 2025 {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00 +0000",
            f"Message-ID: <bench-{n:04d}@oakhurst.example.co.uk>",
            "MIME-Version: 1.0",
        ]
        style = rng.random()
        if style < 0.33:
            boundary = f"=_bench_{n:04d}"
            html_body = "<html><body>" + "".join(
                "<p>" + html.escape(p) + "</p>" for p in body.split("\r\n") if p) + "</body></html>\r\n"
            headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
            parts = [
                f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}",
                f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + quopri.encodestring(html_body.encode()).decode("ascii").replace("\n", "\r\n").replace("\r\r\n", "\r\n"),
                f"--{boundary}--\r\n",
            ]
            text = "\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(parts)
        elif style < 0.5:
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
            qp = quopri.encodestring(body.encode()).decode("ascii").replace("\n", "\r\n").replace("\r\r\n", "\r\n")
            text = "\r\n".join(headers) + "\r\n\r\n" + qp
        elif style < 0.67:
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            b64 = base64.encodebytes(body.encode()).decode("ascii").replace("\n", "\r\n")
            text = "\r\n".join(headers) + "\r\n\r\n" + b64
        else:
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            text = "\r\n".join(headers) + "\r\n\r\n" + body
        name = f"cur/{n:06d}.bench:2,S" if args.maildir else f"msg-{n:04d}.eml"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
