#!/usr/bin/env python3
"""Generate a JSON Lines dataset of customer-service tickets with planted card numbers and UK
National Insurance numbers, for the Spark test (make spark-test).

Every value is made up: card numbers are random digits under real issuer prefixes (Visa,
Mastercard, American Express) with a valid Luhn check digit, in the layouts agents type them
(grouped by spaces, by dashes, or run together); NI numbers use only prefixes HMRC issues (no administrative look-alikes), with a
suffix A-D, spaced or not, in upper or lower case. The same seed gives the same file.

    make_dataset.py OUT.jsonl [--records 100000] [--seed 20]

As a module, generate(path, records, seed) writes the file and returns the planted values per
record id: {id: [value, ...]}.
"""
import argparse
import json
import random

# First letters HMRC never issues, second letters it never issues, prefixes it never uses, and
# the administrative prefixes of reference numbers that only look like NI numbers (which the
# uk_nino detector rightly leaves alone: see shared/reference/pii-formats.md, section 3).
NINO_BAD_FIRST = set("DFIQUV")
NINO_BAD_SECOND = set("DFIQUVO")
NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

PHRASES = [
    "Thanks for getting back to us about order {order}.",
    "Your parcel {order} left the depot this morning.",
    "I have updated the delivery address on ticket {order}.",
    "The refund for {order} will reach you in 3-5 working days.",
    "Could you confirm the postcode for order {order}?",
]


def luhn_complete(digits):
    """`digits` (all but the last) with the Luhn check digit appended."""
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return digits + str((10 - total % 10) % 10)


def card(rng):
    """A random Luhn-valid card number and its layout as typed."""
    kind = rng.randrange(3)
    if kind == 0:
        number = luhn_complete("4" + "".join(rng.choice("0123456789") for _ in range(14)))
    elif kind == 1:
        number = luhn_complete(str(rng.randint(51, 55)) + "".join(rng.choice("0123456789") for _ in range(13)))
    else:
        number = luhn_complete(rng.choice(["34", "37"]) + "".join(rng.choice("0123456789") for _ in range(12)))
    layout = rng.randrange(3)
    if len(number) == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i:i + 4] for i in range(0, 16, 4)]
    typed = [" ".join(groups), "-".join(groups), number][layout]
    return number, typed


def nino(rng):
    """A random NI number HMRC could issue, and its layout as typed."""
    while True:
        first, second = rng.choice(LETTERS), rng.choice(LETTERS)
        if first in NINO_BAD_FIRST or second in NINO_BAD_SECOND or first + second in NINO_BAD_PREFIXES:
            continue
        break
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    suffix = rng.choice("ABCD")
    value = first + second + digits + suffix
    layout = rng.randrange(3)
    if layout == 0:
        typed = f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    elif layout == 1:
        typed = value
    else:
        typed = value.lower()
    return value, typed


def generate(path, records=100000, seed=20):
    """Writes `records` tickets to `path`; returns {id: [planted value, ...]} (normalised:
    card digits, upper-case NI number without spaces)."""
    rng = random.Random(seed)
    planted = {}
    with open(path, "w", encoding="utf-8") as out:
        for index in range(records):
            text = rng.choice(PHRASES).format(order=f"ORD-{100000 + index}")
            values = []
            if index % 3 == 0:
                number, typed = card(rng)
                text += f" The card on file is {typed}."
                values.append(number)
            if index % 4 == 1:
                value, typed = nino(rng)
                text += f" NI number {typed} noted for the claim."
                values.append(value)
            if values:
                planted[index] = values
            out.write(json.dumps({"id": index, "agent": f"agent-{index % 17}", "text": text}) + "\n")
    return planted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    planted = generate(args.output, args.records, args.seed)
    print(f"{args.output}: {args.records} records, {sum(len(v) for v in planted.values())} planted values")


if __name__ == "__main__":
    main()
