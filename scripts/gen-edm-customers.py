#!/usr/bin/env python3
"""Generate a clearly fake customer table for exact data match (redline edm build).

Every value is invented: names from a fixed list of made-up surnames, e-mail addresses at the
reserved example.com/.org/.net domains, phone numbers from Ofcom's ranges for drama
(07700 900xxx, 020 7946 0xxx, 0113 496 0xxx), customer ids starting with 9. Deterministic for a seed.

  scripts/gen-edm-customers.py --rows 300 > Examples/edm/customers.csv
  scripts/gen-edm-customers.py --rows 1000000 --seed 7 --output /tmp/big.csv   (the bench)
"""
import argparse
import random
import sys

FIRST = ["Jane", "Rupert", "Amara", "Tobias", "Priya", "Callum", "Ngozi", "Hamish", "Sofia", "Dev", "Eleri", "Mateo",
         "Aoife", "Kwame", "Freya", "Idris", "Zara", "Ewan", "Mei", "Ruairi", "Lowri", "Omar", "Isla", "Teodor"]
LAST = ["Fakenham", "Testwood", "Sampleton", "Quillfeather", "O'Dummy", "Mockford", "Placeholder-Smith", "Fictionby",
        "Pretendle", "Notreal", "Examplewick", "Madeupson", "Synthby", "Lorem", "Ipsumford", "Dummett"]
TITLES = ["", "", "", "Mr ", "Mrs ", "Ms ", "Dr "]
STREETS = ["Imaginary Road", "Pretend Lane", "Sample Street", "Fiction Way", "Mock Avenue", "Test Close"]
OUTWARD = ["LS1", "LS6", "M1", "SW1A", "EH1", "CF10", "B1", "BS1", "NE1", "G1"]
DOMAINS = ["example.com", "example.org", "example.net"]


def phone(rng, big):
    kind = rng.randrange(3)
    if big:  # the bench needs a million distinct numbers; still in 07700 9xxxxx
        return "07700 9%05d" % rng.randrange(100000)
    if kind == 0:
        return "07700 900%03d" % rng.randrange(1000)
    if kind == 1:
        return "020 7946 0%03d" % rng.randrange(1000)
    return "0113 496 0%03d" % rng.randrange(1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--output", default="-")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    big = args.rows > 1000
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="")
    out.write("customer_id,full_name,email,phone,postcode,date_of_birth,address,note\r\n")
    for n in range(args.rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = rng.choice(TITLES) + first + " " + last
        email = "%s.%s.%d@%s" % (first.lower(), last.lower().replace("'", "").replace("-", ""), n, rng.choice(DOMAINS))
        postcode = "%s %d%s%s" % (rng.choice(OUTWARD), rng.randrange(10), rng.choice("ABDEFGHJLNPQRSTUWXYZ"), rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
        dob = "%02d/%02d/%d" % (rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(1940, 2006))
        address = '"%d %s\n%s"' % (rng.randrange(1, 200), rng.choice(STREETS), "Faketown")
        cid = "9%07d" % (n + 1) if big else "9%05d" % (n + 1)
        out.write("%s,%s,%s,%s,%s,%s,%s,FAKE TEST DATA\r\n" % (cid, '"%s"' % name if "'" in name else name, email,
                                                            phone(rng, big), postcode, dob, address))
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
