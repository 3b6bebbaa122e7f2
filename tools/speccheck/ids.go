package main

// Spec §2: pseudonym IDs.

import (
	"fmt"
	"strings"
)

// alphabet is §2.2: values 0–31 are data and check symbols, 32–36 check only.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"

const qrPrefix = "AMANAH:ID:"

// pseudonymText is the canonical text of §2.2.
func pseudonymText(v uint64) string {
	var sym []byte
	for i := 0; i < 10; i++ {
		sym = append(sym, alphabet[(v>>(5*uint(9-i)))&31])
	}
	sym = append(sym, alphabet[v%37])
	s := string(sym)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:11]
}

// dataValue decodes one typed data symbol (§2.3 step 3), or -1.
func dataValue(ch byte) int {
	switch ch {
	case 'O', 'o':
		return 0
	case 'I', 'i', 'L', 'l':
		return 1
	case 'U', 'u':
		return -1
	}
	up := ch
	if 'a' <= ch && ch <= 'z' {
		up = ch - 'a' + 'A'
	}
	if i := strings.IndexByte(alphabet[:32], up); i >= 0 {
		return i
	}
	return -1
}

// checkValue decodes the typed check symbol (§2.3 step 4), or -1.
func checkValue(ch byte) int {
	if ch == 'u' {
		return 36
	}
	if d := dataValue(ch); d >= 0 {
		return d
	}
	if i := strings.IndexByte(alphabet[32:], ch); i >= 0 {
		return 32 + i
	}
	return -1
}

// parsePseudonym is §2.3: typed text to value.
func parsePseudonym(text string) (uint64, error) {
	s := strings.ReplaceAll(text, "-", "")
	if len(s) != 11 {
		return 0, malformed("%d symbols, want 11", len(s))
	}
	var v uint64
	for i := 0; i < 10; i++ {
		d := dataValue(s[i])
		if d < 0 {
			return 0, malformed("not a data symbol at %d", i)
		}
		v = v<<5 | uint64(d)
	}
	c := checkValue(s[10])
	if c < 0 {
		return 0, malformed("not a check symbol")
	}
	if v%37 != uint64(c) {
		return 0, malformed("check symbol does not match")
	}
	return v, nil
}

// parseQR is §2.4: byte-for-byte canonical payloads only.
func parseQR(payload string) (uint64, error) {
	if !strings.HasPrefix(payload, qrPrefix) {
		return 0, malformed("no QR prefix")
	}
	v, err := parsePseudonym(payload[len(qrPrefix):])
	if err != nil {
		return 0, err
	}
	if payload != qrPrefix+pseudonymText(v) {
		return 0, malformed("QR payload not canonical")
	}
	return v, nil
}

// checkPseudonymFields compares every derived field of one value.
func checkPseudonymFields(c *check, what string, v uint64, o obj) {
	if what != "" {
		what += " "
	}
	c.eqInt(what+"value", int(v), o.int("value"))
	c.eqInt(what+"check_value", int(v%37), o.int("check_value"))
	c.eqStr(what+"canonical", pseudonymText(v), o.str("canonical"))
	c.eqHex(what+"record_id", u64(v), o.str("record_id")) // §2.5
	c.eqStr(what+"qr_payload", qrPrefix+pseudonymText(v), o.str("qr_payload"))
}

func checkPseudonymSingle(c *check, o obj) {
	v, err := parsePseudonym(o.str("input"))
	c.code("parse input", err, codeOK)
	checkPseudonymFields(c, "", v, o)
}

func checkPseudonymQR(c *check, o obj) {
	v, err := parseQR(o.str("input"))
	c.code("parse QR", err, codeOK)
	checkPseudonymFields(c, "", v, o)
}

func checkPseudonymGenerate(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		r := cs.hex("random_bytes")
		var v uint64
		for _, b := range r {
			v = v<<8 | uint64(b)
		}
		v &= 1<<50 - 1 // §2.1
		checkPseudonymFields(c, fmt.Sprintf("case %d", i), v, cs)
	}
}

func checkPseudonymValues(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		v := uint64(cs.int("value"))
		what := fmt.Sprintf("case %d", i)
		checkPseudonymFields(c, what, v, cs)
		back, err := parsePseudonym(cs.str("canonical"))
		c.code(what+" parse canonical", err, codeOK)
		c.eqInt(what+" parse canonical", int(back), int(v))
		back, err = parseQR(cs.str("qr_payload"))
		c.code(what+" parse QR", err, codeOK)
		c.eqInt(what+" parse QR", int(back), int(v))
	}
}

func checkPseudonymAliases(c *check, o obj) {
	for _, cs := range o.objs("cases") {
		v, err := parsePseudonym(cs.str("input"))
		c.code(cs.str("input"), err, codeOK)
		c.eqStr(cs.str("input"), pseudonymText(v), cs.str("canonical"))
	}
}

func checkPseudonymBadCheck(c *check, o obj) {
	want := o.str("error")
	for _, cs := range o.objs("cases") {
		_, err := parsePseudonym(cs.str("from"))
		c.code("from "+cs.str("from"), err, codeOK)
		_, err = parsePseudonym(cs.str("input"))
		c.code(cs.str("input"), err, o.str("expect"))
		if err != nil && err.(*specError).msg != want {
			c.fail("%s: message %q, want %q", cs.str("input"), err.(*specError).msg, want)
		}
	}
}

func checkPseudonymMalformed(c *check, o obj) {
	for _, cs := range o.objs("cases") {
		in := string(cs.hex("input_hex"))
		c.eqStr("input_hex vs input", in, cs.str("input"))
		_, err := parsePseudonym(in)
		c.code(fmt.Sprintf("%q", in), err, o.str("expect"))
	}
}

func checkPseudonymQRMalformed(c *check, o obj) {
	for _, cs := range o.objs("cases") {
		_, err := parseQR(cs.str("input"))
		c.code(fmt.Sprintf("%q", cs.str("input")), err, o.str("expect"))
	}
}
