#!/usr/bin/env python3
"""Builds Examples/attachments/: a small customer spreadsheet (.xlsx), a letter (.docx), a statement
(.pdf), an export archive (.zip holding a CSV and the spreadsheet) and an e-mail (.eml) carrying them;
and reply.eml, an agent's reply carrying a letter and a spreadsheet with NI numbers and bank details
(no card), which `redline redact` sends on with both files redacted inside (reply.redacted.eml, made
by the built binary: `redline redact Examples/attachments/reply.eml > Examples/attachments/reply.redacted.eml`).

Every value is a published test value or made up (test card numbers, the HMRC example NI number
format with made-up digits). Needs openpyxl, python-docx and reportlab:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install openpyxl python-docx reportlab
    /tmp/venv/bin/python scripts/make-attachment-examples.py
"""
import datetime
import email.mime.application
import email.mime.multipart
import email.mime.text
import email.utils
import io
import os
import zipfile

import docx
import openpyxl

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Examples", "attachments")
FIXED = datetime.datetime(2026, 11, 3, 9, 30, 0)


def spreadsheet():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Name", "NI number", "Card", "Postcode", "Notes"])
    rows = [
        ("Ada Lovelace", "JG 10 37 55 A", "4111 1111 1111 1111", "LS6 2AB", "called about refund"),
        ("Alan Turing", "AB 12 34 56 C", "5555 5555 5555 4444", "M1 1AE", ""),
        ("Grace Hopper", "CE 12 34 56 D", "", "EH1 1YZ", "sort code 12-34-56 account 31926819"),
    ]
    for row in rows:
        sheet.append(list(row))
    book.properties.created = FIXED
    book.properties.modified = FIXED
    book.properties.creator = "Support team"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def letter():
    document = docx.Document()
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.core_properties.author = "Support team"
    document.add_heading("Your refund", level=1)
    document.add_paragraph("Dear Ms Lovelace,")
    document.add_paragraph("Thank you for your call on 3 November. We have refunded the payment.")
    paragraph = document.add_paragraph("The refund went to the card ending ")
    paragraph.add_run("4111 1111 1111 1111").bold = True
    paragraph.add_run(" and your NI number JG 10 37 55 A is on file.")
    document.add_paragraph("Kind regards, Customer Services")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def statement():
    from reportlab.pdfgen import canvas
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setTitle("Statement")
    pdf.drawString(72, 720, "Statement for November 2026")
    pdf.drawString(72, 700, "Thank you for banking with us.")
    pdf.showPage()
    pdf.drawString(72, 720, "Account 31926819, sort code 12-34-56")
    pdf.drawString(72, 700, "IBAN GB82 WEST 1234 5698 7654 32")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def export(sheet):
    csv = (
        "ticket,customer,notes\n"
        "1041,Ada Lovelace,refund to card 4111 1111 1111 1111\n"
        "1042,Alan Turing,NI number AB 12 34 56 C confirmed\n"
        "1043,Grace Hopper,order 12345678 shipped\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("2026/tickets.csv", csv.encode()), ("customers.xlsx", sheet)]:
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def reply_letter():
    document = docx.Document()
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.core_properties.author = "Support team"
    document.add_heading("Your account details", level=1)
    document.add_paragraph("Dear Mr Turing,")
    paragraph = document.add_paragraph("We have updated your record. Your NI number is ")
    # The NI number split over two runs, as Word does after an edit.
    paragraph.add_run("AB 12 ").bold = True
    paragraph.add_run("34 56 C").bold = True
    paragraph.add_run(" and refunds go to sort code 12-34-56, account 31926819.")
    document.add_paragraph("Kind regards, Customer Services")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def reply_sheet():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Name", "NI number", "Notes"])
    sheet.append(["Alan Turing", "AB 12 34 56 C", "prefers e-mail"])
    sheet.append(["Grace Hopper", "CE 12 34 56 D", "sort code 12-34-56 account 31926819"])
    book.properties.created = FIXED
    book.properties.modified = FIXED
    book.properties.creator = "Support team"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def reply():
    """reply.eml (and its two files): what redline redact sends on with both attachments redacted inside."""
    files = [("account-letter.docx", reply_letter()), ("account-summary.xlsx", reply_sheet())]
    for name, data in files:
        with open(os.path.join(OUT, name), "wb") as handle:
            handle.write(data)
    mail = message(files, subject="Re: your account", body="Dear Mr Turing, your updated details are attached.\n",
                   message_id="<reply-example@example.co.uk>")
    with open(os.path.join(OUT, "reply.eml"), "wb") as handle:
        handle.write(mail)


def message(files, subject="Your documents", body="Please find your documents attached.\n",
            message_id="<attachments-example@example.co.uk>"):
    mail = email.mime.multipart.MIMEMultipart(boundary="redline-example-boundary")
    mail["From"] = "Support <support@example.co.uk>"
    mail["To"] = "someone@gmail.com"
    mail["Subject"] = subject
    mail["Date"] = email.utils.format_datetime(FIXED.replace(tzinfo=datetime.timezone.utc))
    mail["Message-ID"] = message_id
    mail.attach(email.mime.text.MIMEText(body, "plain", "utf-8"))
    types = {".xlsx": "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".docx": "vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".pdf": "pdf", ".zip": "zip"}
    for name, data in files:
        part = email.mime.application.MIMEApplication(data, _subtype=types[os.path.splitext(name)[1]])
        part.add_header("Content-Disposition", "attachment", filename=name)
        mail.attach(part)
    return mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))


def main():
    os.makedirs(OUT, exist_ok=True)
    sheet = spreadsheet()
    files = [("customers.xlsx", sheet), ("refund-letter.docx", letter()), ("statement.pdf", statement()), ("export.zip", export(sheet))]
    for name, data in files:
        with open(os.path.join(OUT, name), "wb") as handle:
            handle.write(data)
    with open(os.path.join(OUT, "documents.eml"), "wb") as handle:
        handle.write(message(files))
    reply()
    print("wrote", ", ".join(name for name, _ in files), "documents.eml and reply.eml to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
