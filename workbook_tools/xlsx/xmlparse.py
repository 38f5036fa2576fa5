"""XML parsing that is both real and safe: a pyexpat parser with defusedxml's protections.

A real parser reads every legal spelling of the markup (CDATA, single-quoted attributes, namespace
prefixes, Strict OOXML's namespaces, UTF-16) where a regular expression reads only the usual one. The
parser is defused as defusedxml does it: a DTD, an entity declaration or an external reference raises
before anything can expand, so an entity bomb costs nothing.
"""

from __future__ import annotations

import io
import pyexpat
import re
import zipfile
from typing import IO, Any

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
#: The namespaces SpreadsheetML markup may use: Transitional (what everybody writes) and Strict.
MAIN_NAMESPACES = (NS_MAIN, NS_STRICT)


def defused_parser() -> Any:
    """A pyexpat parser with defusedxml's protections: DTDs, entity declarations and external references refused."""
    p = pyexpat.ParserCreate(namespace_separator="}")

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
        raise DTDForbidden(name, sysid, pubid)

    def entity(name: str, is_param: bool, value: str | None, base: str | None, sysid: str | None,
               pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed(name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    p.StartDoctypeDeclHandler = doctype
    p.EntityDeclHandler = entity
    p.UnparsedEntityDeclHandler = unparsed
    p.ExternalEntityRefHandler = external
    p.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


def main_names(local: str) -> frozenset[str]:
    """The expanded names (``namespace}local``, as this parser reports them) of an element in either namespace."""
    return frozenset(f"{ns}}}{local}" for ns in MAIN_NAMESPACES)





def is_utf16(head: bytes) -> bool:
    """The first bytes of a UTF-16 XML part (a byte-order mark, or '<?' in either byte order)."""
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"<\x00?\x00", b"\x00<\x00?")


class _Root(Exception):
    """The root element was reached: the prolog, where a DTD would be, is over."""


def check_prolog(stream: IO[bytes]) -> None:
    """Refuse a part whose prolog declares a DTD or entities (defusedxml's rule) without parsing the rest:
    for the parts only python-calamine reads (shared strings), whose parser does not refuse them."""
    p = defused_parser()

    def root(name: str, attrs: dict[str, str]) -> None:
        raise _Root

    p.StartElementHandler = root
    try:
        while chunk := stream.read(1 << 16):
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except _Root:
        pass


def utf8_copy(zf: zipfile.ZipFile) -> io.BytesIO:
    """The archive with every UTF-16 XML part re-encoded as UTF-8, for python-calamine (which reads only UTF-8)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in zf.infolist():
            data = zf.read(info)
            if is_utf16(data):
                text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else
                                   ("utf-16-le" if data[:1] == b"<" else "utf-16-be"))
                text = re.sub(r"""^(<\?xml[^>]*?encoding=)(["'])[^"']*\2""", r"\1\2UTF-8\2", text.lstrip("\ufeff"))
                data = text.encode("utf-8")
            out.writestr(info.filename, data)
    buf.seek(0)
    return buf
