package main

// Spec §3.1–§3.4: user keys, public key files, fingerprints, secret key files.

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwesterb/go-ristretto"
	"golang.org/x/crypto/argon2"
)

// roles is the §3.1 table; the index is u8(role).
var roles = []string{"", "enroller", "custodian", "official", "monitor", "operator", "dealer"}

func roleByte(name string) (int, error) {
	for i, r := range roles {
		if i > 0 && r == name {
			return i, nil
		}
	}
	return 0, malformed("unknown role %q", name)
}

func roleName(b int) (string, error) {
	if b < 1 || b >= len(roles) {
		return "", malformed("unknown role byte %d", b)
	}
	return roles[b], nil
}

// validLabel is the §3.1 label rule.
func validLabel(label string) error {
	if len(label) < 1 || len(label) > 64 {
		return malformed("label of %d bytes", len(label))
	}
	if !utf8.ValidString(label) { // rejects overlong forms and surrogates
		return malformed("label is not UTF-8")
	}
	for _, r := range label {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return malformed("label contains U+%04X", r)
		}
	}
	if label[0] == ' ' || label[len(label)-1] == ' ' {
		return malformed("label begins or ends with a space")
	}
	return nil
}

// publicKey is (role, label, sign, enc) of §3.1.
type publicKey struct {
	role  int
	label string
	sign  []byte
	enc   []byte
}

// fingerprint is §3.3: the 10 bytes fp and the text.
func fingerprint(role int, sign, enc []byte) ([]byte, string) {
	fp := sha256sum(lp([]byte("amanah/v1/key-fingerprint")), u8(role), sign, enc)[:10]
	return fp, fingerprintText(fp)
}

func fingerprintInput(role int, sign, enc []byte) []byte {
	return cat(lp([]byte("amanah/v1/key-fingerprint")), u8(role), sign, enc)
}

func fingerprintText(fp []byte) string {
	var sym []byte
	// 80 bits, 16 symbols of 5 bits, most significant first.
	for j := 0; j < 16; j++ {
		bit := j * 5
		v := 0
		for k := 0; k < 5; k++ {
			b := bit + k
			v = v<<1 | int(fp[b/8]>>(7-uint(b%8))&1)
		}
		sym = append(sym, alphabet[v])
	}
	s := string(sym)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// canonicalFingerprintText checks the §3.2 fingerprint line format.
func canonicalFingerprintText(s string) bool {
	if len(s) != 19 {
		return false
	}
	for i := 0; i < 19; i++ {
		if i%5 == 4 {
			if s[i] != '-' {
				return false
			}
		} else if !strings.ContainsRune(alphabet[:32], rune(s[i])) {
			return false
		}
	}
	return true
}

// splitLines implements the line endings of §3.2: all LF or all CRLF, the
// last terminator optional, no blank line.
func splitLines(text string) ([]string, error) {
	if text == "" {
		return nil, malformed("empty file")
	}
	term := "\n"
	if strings.Contains(text, "\r") {
		term = "\r\n"
		if strings.Count(text, "\r") != strings.Count(text, "\r\n") ||
			strings.Count(text, "\n") != strings.Count(text, "\r\n") {
			return nil, malformed("mixed or bare CR line endings")
		}
	}
	text = strings.TrimSuffix(text, term)
	lines := strings.Split(text, term)
	for _, l := range lines {
		if l == "" {
			return nil, malformed("blank line")
		}
	}
	return lines, nil
}

// ---- §3.2 public key file ------------------------------------------------------

const publicFileHeader = "amanah public key v1"

var publicFileKeys = []string{"role", "label", "sign", "enc", "fingerprint"}

func encodePublicFile(k publicKey) string {
	_, fp := fingerprint(k.role, k.sign, k.enc)
	return publicFileHeader + "\n" +
		"role: " + roles[k.role] + "\n" +
		"label: " + k.label + "\n" +
		"sign: " + base64.StdEncoding.EncodeToString(k.sign) + "\n" +
		"enc: " + base64.StdEncoding.EncodeToString(k.enc) + "\n" +
		"fingerprint: " + fp + "\n"
}

func parsePublicFile(text string) (publicKey, error) {
	var k publicKey
	lines, err := splitLines(text)
	if err != nil {
		return k, err
	}
	if len(lines) != 6 || lines[0] != publicFileHeader {
		return k, malformed("not six lines with the header")
	}
	vals := make([]string, 5)
	for i, key := range publicFileKeys {
		if !strings.HasPrefix(lines[i+1], key+": ") {
			return k, malformed("line %d is not %q", i+2, key)
		}
		vals[i] = lines[i+1][len(key)+2:]
	}
	if k.role, err = roleByte(vals[0]); err != nil {
		return k, err
	}
	if err = validLabel(vals[1]); err != nil {
		return k, err
	}
	k.label = vals[1]
	if k.sign, err = decodeKey32(vals[2]); err != nil {
		return k, err
	}
	if !ed25519ValidPoint(k.sign) {
		return k, malformed("sign is not a valid Ed25519 public key")
	}
	if k.enc, err = decodeKey32(vals[3]); err != nil {
		return k, err
	}
	if _, err = decodeElement(k.enc); err != nil {
		return k, err
	}
	if !canonicalFingerprintText(vals[4]) {
		return k, malformed("fingerprint line not canonical")
	}
	// All format checks first, then the fingerprint (verify_failed).
	if _, fp := fingerprint(k.role, k.sign, k.enc); fp != vals[4] {
		return k, verifyFailed("fingerprint does not match")
	}
	return k, nil
}

func decodeKey32(s string) ([]byte, error) {
	b, err := decodeBase64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 32 {
		return nil, malformed("key of %d bytes", len(b))
	}
	return b, nil
}

// ---- §3.4 secret key file ------------------------------------------------------

const (
	secretBegin = "-----BEGIN AMANAH SECRET KEY-----"
	secretEnd   = "-----END AMANAH SECRET KEY-----"
)

type secretKey struct {
	signSeed  []byte
	encScalar *ristretto.Scalar
}

// secretHeader is the blob before the ciphertext.
func secretHeader(role int, label string, ops, memKiB uint32, salt, nonce []byte) []byte {
	return cat([]byte("AMANAHSK"), u8(1), u8(role), lp([]byte(label)), u32(ops), u32(memKiB), salt, nonce)
}

// armour wraps b64 in lines of 64 characters between the two lines.
func armour(begin, end string, blob []byte) string {
	b64 := base64.StdEncoding.EncodeToString(blob)
	out := begin + "\n"
	for len(b64) > 64 {
		out += b64[:64] + "\n"
		b64 = b64[64:]
	}
	return out + b64 + "\n" + end + "\n"
}

// dearmour is the inverse of armour with the §3.4 rules.
func dearmour(lines []string, begin, end string) ([]byte, error) {
	if len(lines) < 3 || lines[0] != begin || lines[len(lines)-1] != end {
		return nil, malformed("armour lines")
	}
	body := lines[1 : len(lines)-1]
	for i, l := range body {
		if len(l) == 0 || len(l) > 64 || (i < len(body)-1 && len(l) != 64) {
			return nil, malformed("armour body line %d of %d characters", i+1, len(l))
		}
	}
	return decodeBase64(strings.Join(body, ""))
}

type secretFile struct {
	header      []byte
	role        int
	label       string
	ops, memKiB uint32
	salt, nonce []byte
	ciphertext  []byte
}

// parseSecretFile performs every `malformed` check of §3.4 "Opening" before
// the passphrase is used.
func parseSecretFile(text string) (secretFile, error) {
	var f secretFile
	lines, err := splitLines(text)
	if err != nil {
		return f, err
	}
	blob, err := dearmour(lines, secretBegin, secretEnd)
	if err != nil {
		return f, err
	}
	r := &reader{b: blob}
	if string(r.take(8)) != "AMANAHSK" {
		return f, malformed("magic")
	}
	if r.u8() != 1 {
		return f, malformed("version")
	}
	f.role = r.u8()
	if _, err := roleName(f.role); err != nil {
		return f, err
	}
	f.label = string(r.lp())
	f.ops, f.memKiB = r.u32(), r.u32()
	f.salt, f.nonce = r.take(16), r.take(24)
	if r.err != nil {
		return f, r.err
	}
	if err := validLabel(f.label); err != nil {
		return f, err
	}
	if f.ops < 1 || f.ops > 10 || f.memKiB < 8 || f.memKiB > 4194304 {
		return f, malformed("Argon2id parameters out of bounds")
	}
	f.header = blob[:len(blob)-r.remaining()]
	f.ciphertext = r.take(80)
	if err := r.done(); err != nil {
		return f, err
	}
	return f, nil
}

func secretFileKey(passphrase []byte, f secretFile) []byte {
	return argon2.IDKey(passphrase, f.salt, f.ops, f.memKiB, 1, 32)
}

// openSecretFile is §3.4 "Opening": one verify_failed for every secret-dependent failure.
func openSecretFile(text string, passphrase []byte) (secretFile, secretKey, error) {
	f, err := parseSecretFile(text)
	if err != nil {
		return f, secretKey{}, err
	}
	pt, ok := aeadOpen(secretFileKey(passphrase, f), f.nonce, f.header, f.ciphertext)
	const msg = "secret key file does not open"
	if !ok {
		return f, secretKey{}, verifyFailed(msg)
	}
	s, err := decodeScalar(pt[32:])
	if err != nil || isZeroScalar(s) {
		return f, secretKey{}, verifyFailed(msg)
	}
	return f, secretKey{pt[:32], s}, nil
}

// ---- checkers -------------------------------------------------------------------

// checkPublicFields compares a parsed or derived public key with the vector's.
func checkPublicFields(c *check, what string, k publicKey, o obj) {
	c.eqStr(what+" role", roles[k.role], o.str("role"))
	c.eqInt(what+" role_byte", k.role, o.int("role_byte"))
	c.eqStr(what+" label", k.label, o.str("label"))
	c.eqHex(what+" sign_public", k.sign, o.str("sign_public"))
	c.eqHex(what+" enc_public", k.enc, o.str("enc_public"))
	fp, text := fingerprint(k.role, k.sign, k.enc)
	c.eqHex(what+" fingerprint_bytes", fp, o.str("fingerprint_bytes"))
	c.eqStr(what+" fingerprint", text, o.str("fingerprint"))
}

// §3.1 generation from the recorded draws.
func checkKeyGenerate(c *check, o obj) {
	role, err := roleByte(o.str("role"))
	c.code("role", err, codeOK)
	c.code("label", validLabel(o.str("label")), codeOK)
	s := reduceScalar(o.hex("enc_wide"))
	c.eqHex("enc_scalar", s.Bytes(), o.str("enc_scalar"))
	k := publicKey{role, o.str("label"), ed25519Public(o.hex("sign_seed")), baseMul(s).Bytes()}
	checkPublicFields(c, "", k, o)
}

func checkKeyFingerprint(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		what := fmt.Sprintf("case %d", i)
		role, err := roleByte(cs.str("role"))
		c.code(what+" role", err, codeOK)
		sign, enc := cs.hex("sign_public"), cs.hex("enc_public")
		in := fingerprintInput(role, sign, enc)
		c.eqHex(what+" fingerprint_input", in, cs.str("fingerprint_input"))
		c.eqHex(what+" sha256", sha256sum(in), cs.str("sha256"))
		fp, text := fingerprint(role, sign, enc)
		c.eqHex(what+" fingerprint_bytes", fp, cs.str("fingerprint_bytes"))
		c.eqStr(what+" fingerprint", text, cs.str("fingerprint"))
	}
}

func checkPublicFile(c *check, o obj) {
	k, err := parsePublicFile(o.str("file"))
	c.code("parse", err, codeOK)
	checkPublicFields(c, "parsed", k, o)
	c.eqStr("sign_base64", base64.StdEncoding.EncodeToString(k.sign), o.str("sign_base64"))
	c.eqStr("enc_base64", base64.StdEncoding.EncodeToString(k.enc), o.str("enc_base64"))
	c.eqStr("encoded file", encodePublicFile(k), o.str("file"))
}

func checkPublicFileVariants(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		k, err := parsePublicFile(fileText(cs))
		c.code(fmt.Sprintf("case %d", i), err, codeOK)
		checkPublicFields(c, fmt.Sprintf("case %d", i), k, o)
	}
}

func checkPublicFileBad(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		_, err := parsePublicFile(fileText(cs))
		what := fmt.Sprintf("case %d", i)
		if cs.has("defect") {
			what += " (" + cs.str("defect") + ")"
		}
		c.code(what, err, o.str("expect"))
	}
}

// §3.4 sealing with every intermediate, then opening.
func checkSecretFile(c *check, o obj) {
	pw := []byte(o.str("passphrase"))
	c.eqHex("passphrase_hex", pw, o.str("passphrase_hex"))
	role, err := roleByte(o.str("role"))
	c.code("role", err, codeOK)
	ops, mem := uint32(o.int("ops")), uint32(o.int("mem_kib"))
	f := secretFile{salt: o.hex("salt"), nonce: o.hex("nonce"), ops: ops, memKiB: mem}
	key := secretFileKey(pw, f)
	c.eqHex("argon2id_key", key, o.str("argon2id_key"))
	header := secretHeader(role, o.str("label"), ops, mem, f.salt, f.nonce)
	c.eqHex("header", header, o.str("header"))
	pt := cat(o.hex("sign_seed"), o.hex("enc_scalar"))
	c.eqHex("plaintext", pt, o.str("plaintext"))
	ct := aeadSeal(key, f.nonce, header, pt)
	c.eqHex("ciphertext", ct, o.str("ciphertext"))
	c.eqHex("blob", cat(header, ct), o.str("blob"))
	c.eqStr("file", armour(secretBegin, secretEnd, cat(header, ct)), o.str("file"))
	checkSecretOpens(c, "open", o.str("file"), pw, o)
}

func checkSecretOpens(c *check, what, text string, pw []byte, o obj) {
	f, sk, err := openSecretFile(text, pw)
	c.code(what, err, codeOK)
	if err != nil {
		return
	}
	if o.has("sign_seed") {
		c.eqHex(what+" sign_seed", sk.signSeed, o.str("sign_seed"))
		c.eqHex(what+" enc_scalar", sk.encScalar.Bytes(), o.str("enc_scalar"))
	}
	k := publicKey{f.role, f.label, ed25519Public(sk.signSeed), baseMul(sk.encScalar).Bytes()}
	checkPublicFields(c, what, k, o)
}

func checkSecretFileVariants(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		checkSecretOpens(c, fmt.Sprintf("case %d", i), fileText(cs), []byte(o.str("passphrase")), o)
	}
}

func checkSecretFileBadSingle(c *check, o obj) {
	_, _, err := openSecretFile(o.str("file"), []byte(o.str("passphrase")))
	c.code("open", err, o.str("expect"))
}

func checkSecretFileBad(c *check, o obj) {
	for i, cs := range o.objs("cases") {
		_, _, err := openSecretFile(fileText(cs), []byte(o.str("passphrase")))
		c.code(fmt.Sprintf("case %d (%s)", i, cs.str("defect")), err, o.str("expect"))
	}
}

// The flipped files must still parse (header fields stay in bounds) and the
// flip must be at `offset`; they fail only at the AEAD.
func checkSecretFileFlipped(c *check, o obj) {
	for _, cs := range o.objs("cases") {
		what := cs.str("field")
		f, err := parseSecretFile(cs.str("file"))
		c.code(what+" parses", err, codeOK)
		if err == nil {
			off := cs.int("offset")
			blob := cat(f.header, f.ciphertext)
			if off >= len(blob) {
				c.fail("%s: offset %d outside the blob", what, off)
			}
		}
		_, _, err = openSecretFile(cs.str("file"), []byte(o.str("passphrase")))
		c.code(what, err, o.str("expect"))
	}
}

// Authentic files whose scalar is bad: the AEAD opens to `plaintext`, and
// opening still fails with verify_failed.
func checkSecretFileBadScalar(c *check, o obj) {
	pw := []byte(o.str("passphrase"))
	for _, cs := range o.objs("cases") {
		what := cs.str("defect")
		f, err := parseSecretFile(cs.str("file"))
		c.code(what+" parses", err, codeOK)
		if err == nil {
			pt, ok := aeadOpen(secretFileKey(pw, f), f.nonce, f.header, f.ciphertext)
			if !ok {
				c.fail("%s: file is not authentic", what)
			} else {
				c.eqHex(what+" plaintext", pt, cs.str("plaintext"))
			}
		}
		_, _, err = openSecretFile(cs.str("file"), pw)
		c.code(what, err, o.str("expect"))
	}
}

func checkSignature(c *check, o obj) {
	seed := o.hex("sign_seed")
	c.eqHex("sign_public", ed25519Public(seed), o.str("sign_public"))
	c.eqHex("signature", ed25519Sign(seed, o.hex("message")), o.str("signature"))
	if !ed25519Verify(o.hex("sign_public"), o.hex("message"), o.hex("signature")) {
		c.fail("signature does not verify")
	}
}

// checkSignatureCases checks every case of a file against its one expect.
func checkSignatureCases(c *check, o obj) {
	for _, cs := range o.objs("cases") {
		var err error
		if !ed25519Verify(cs.hex("sign_public"), cs.hex("message"), cs.hex("signature")) {
			err = verifyFailed("signature")
		}
		c.code(cs.str("defect"), err, o.str("expect"))
	}
}
