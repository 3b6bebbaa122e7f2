package main

// Spec §9: log entries — the envelope, the signing message, the field
// encodings and the typed reading of each entry type.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	entryDST       = "amanah/v1/log-entry"
	entryMaxFields = 64
	entryHeaderLen = 2 + 1 + 8 + 10 + 2 // version, type, time, actor, count
)

// entryField is one `LP(name) ‖ u32(len(value)) ‖ value`.
type entryField struct {
	name  string
	value []byte
}

// entry is the §9.1 envelope, decoded.
type entry struct {
	typ       int
	time      int64
	actor     []byte
	fields    []entryField
	signature []byte
	unsigned  []byte // every byte before the signature
}

// ---- §9.1 envelope ---------------------------------------------------------------

func encodeEntryUnsigned(typ int, time int64, actor []byte, fields []entryField) []byte {
	out := cat(u16(1), u8(typ), u64(uint64(time)), actor, u16(len(fields)))
	for _, f := range fields {
		out = cat(out, lp([]byte(f.name)), u32(uint32(len(f.value))), f.value)
	}
	return out
}

func entrySigningMessage(registryID, unsigned []byte) []byte {
	return cat(lp([]byte(entryDST)), registryID, unsigned)
}

func entryLeafHash(e []byte) []byte { return sha256sum([]byte{0}, e) }

func validFieldName(n string) bool {
	if len(n) < 1 || len(n) > 32 {
		return false
	}
	for i := 0; i < len(n); i++ {
		ch := n[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_') {
			return false
		}
	}
	return true
}

// parseEntry is the §9.1 parser: every `malformed` rule of the envelope.
func parseEntry(b []byte) (entry, error) {
	var e entry
	r := &reader{b: b}
	if v := r.u16(); r.err == nil && v != 1 {
		return e, malformed("entry version %d", v)
	}
	e.typ = r.u8()
	if r.err == nil && entryTypes[e.typ] == nil {
		return e, malformed("unknown entry type %d", e.typ)
	}
	e.time = int64(binary.BigEndian.Uint64(r.take(8)))
	e.actor = r.take(10)
	n := r.u16()
	if r.err != nil {
		return e, r.err
	}
	if n > entryMaxFields {
		return e, malformed("%d fields > %d", n, entryMaxFields)
	}
	for i := 0; i < n; i++ {
		name := string(r.lp())
		size := r.u32()
		if r.err != nil {
			return e, r.err
		}
		if !validFieldName(name) {
			return e, malformed("invalid field name %q", name)
		}
		if i > 0 && name <= e.fields[i-1].name {
			return e, malformed("field names not strictly ascending (%q after %q)", name, e.fields[i-1].name)
		}
		if uint64(size) > uint64(r.remaining()) {
			return e, malformed("field %q: len %d beyond the input", name, size)
		}
		e.fields = append(e.fields, entryField{name, r.take(int(size))})
	}
	e.unsigned = b[:len(b)-r.remaining()]
	e.signature = r.take(64)
	return e, r.done()
}

// ---- §9.2 field kinds ------------------------------------------------------------

type fieldKind int

const (
	kU8 fieldKind = iota // an enumeration: enum lists the values
	kU16Min1
	kU32
	kU64
	kTime
	kID16
	kFingerprint
	kHash
	kElement
	kSignature
	kPseudonym
	kPseudonymList
	kText     // max = N
	kTextList // max = N for each element
	kTextEnum // enumText lists the values
	kPublicKey
	kConfig
	kVerifierKey // type 0x01
	kAttributes
)

type fieldSpec struct {
	kind     fieldKind
	optional bool
	max      int            // text, text list
	enum     map[int]string // u8 enumerations
	enumText []string       // text enumerations
}

// typeSpec is one row of §9.3; the field table is in ascending name order.
type typeSpec struct {
	name   string
	fields map[string]fieldSpec
	// cond returns an error for the "required for X, absent for Y" rules.
	cond func(map[string]interface{}) error
}

var entryTypes = map[int]*typeSpec{
	1: {name: "init", fields: map[string]fieldSpec{
		"config":       {kind: kConfig},
		"log_key":      {kind: kVerifierKey},
		"operator_key": {kind: kPublicKey},
		"origin":       {kind: kText, max: 255},
	}},
	2: {name: "register-actor", fields: map[string]fieldSpec{
		"key":          {kind: kPublicKey},
		"org_kind":     {kind: kU8, optional: true, enum: map[int]string{1: "un", 2: "icrc", 3: "ngo", 4: "government"}},
		"organisation": {kind: kText, optional: true, max: 64},
	}},
	3: {name: "attest", fields: map[string]fieldSpec{
		"custodian": {kind: kU16Min1},
		"expires":   {kind: kTime, optional: true},
		"kind":      {kind: kU8, enum: map[int]string{1: "admit", 2: "suspend", 3: "reinstate"}},
		"subject":   {kind: kFingerprint},
	}, cond: func(v map[string]interface{}) error {
		_, has := v["expires"]
		if suspend := v["kind"] == "suspend"; suspend && has {
			return malformed("attest: expires present for suspend")
		} else if !suspend && !has {
			return malformed("attest: expires missing")
		}
		return nil
	}},
	4: {name: "enrol", fields: map[string]fieldSpec{
		"attributes":       {kind: kAttributes},
		"c1":               {kind: kElement},
		"ciphertext_hash":  {kind: kHash},
		"id":               {kind: kPseudonym},
		"record_signature": {kind: kSignature},
	}},
	5: {name: "withdraw", fields: map[string]fieldSpec{
		"id":     {kind: kPseudonym},
		"reason": {kind: kTextEnum, enumText: []string{"request", "deceased", "duplicate", "safety"}},
	}},
	6: {name: "plan", fields: map[string]fieldSpec{
		"capacity":     {kind: kU32},
		"guarantor":    {kind: kText, max: 64},
		"id":           {kind: kID16},
		"people":       {kind: kPseudonymList, optional: true},
		"route":        {kind: kTextList, optional: true, max: 64},
		"tolerance":    {kind: kU32},
		"window_end":   {kind: kTime},
		"window_start": {kind: kTime},
	}},
	7: {name: "release-request", fields: map[string]fieldSpec{
		"excluded": {kind: kU32},
		"people":   {kind: kPseudonymList, optional: true},
		"plan":     {kind: kID16},
		"release":  {kind: kID16},
	}},
	8: {name: "approve", fields: map[string]fieldSpec{
		"checkpoint_size": {kind: kU64},
		"custodian":       {kind: kU16Min1},
		"partial_hash":    {kind: kHash},
		"release":         {kind: kID16},
	}},
	9: {name: "refuse", fields: map[string]fieldSpec{
		"custodian": {kind: kU16Min1},
		"reason":    {kind: kText, max: 280},
		"release":   {kind: kID16},
	}},
	10: {name: "open", fields: map[string]fieldSpec{
		"release": {kind: kID16},
	}},
	11: {name: "sighting", fields: map[string]fieldSpec{
		"person": {kind: kPseudonym},
		"plan":   {kind: kID16},
		"point":  {kind: kText, max: 64},
	}},
	12: {name: "plan-event", fields: map[string]fieldSpec{
		"kind":        {kind: kU8, enum: map[int]string{1: "substituted", 2: "withdrew"}},
		"person":      {kind: kPseudonym},
		"plan":        {kind: kID16},
		"reason":      {kind: kText, max: 280},
		"replacement": {kind: kPseudonym, optional: true},
	}, cond: func(v map[string]interface{}) error {
		_, has := v["replacement"]
		if sub := v["kind"] == "substituted"; sub && !has {
			return malformed("plan-event: replacement missing for substituted")
		} else if !sub && has {
			return malformed("plan-event: replacement present for withdrew")
		}
		return nil
	}},
}

// validEntryText is the §9.2 text rule: §3.1's label rules with the field's
// own maximum length.
func validEntryText(s string, max int) error {
	if len(s) < 1 || len(s) > max {
		return malformed("text of %d bytes (1..%d)", len(s), max)
	}
	if !utf8.ValidString(s) {
		return malformed("text is not UTF-8")
	}
	for _, r := range s {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return malformed("text contains U+%04X", r)
		}
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return malformed("text begins or ends with a space")
	}
	return nil
}

func fixedLen(name string, v []byte, n int) error {
	if len(v) != n {
		return malformed("field %q: %d bytes, want %d", name, len(v), n)
	}
	return nil
}

func readPseudonym(name string, v []byte) (uint64, error) {
	if err := fixedLen(name, v, 8); err != nil {
		return 0, err
	}
	x := binary.BigEndian.Uint64(v)
	if x >= 1<<50 {
		return 0, malformed("field %q: pseudonym value >= 2^50", name)
	}
	return x, nil
}

// readField decodes one value by its kind; the result is a Go value that
// encodeFieldValue turns back into the same bytes.
func readField(name string, fs fieldSpec, v []byte) (interface{}, error) {
	if len(v) == 0 {
		return nil, malformed("field %q is present but empty", name)
	}
	switch fs.kind {
	case kU8:
		if err := fixedLen(name, v, 1); err != nil {
			return nil, err
		}
		s, ok := fs.enum[int(v[0])]
		if !ok {
			return nil, malformed("field %q: value %d not in its table", name, v[0])
		}
		return s, nil
	case kU16Min1:
		if err := fixedLen(name, v, 2); err != nil {
			return nil, err
		}
		x := int(binary.BigEndian.Uint16(v))
		if x < 1 {
			return nil, malformed("field %q: 0", name)
		}
		return x, nil
	case kU32:
		if err := fixedLen(name, v, 4); err != nil {
			return nil, err
		}
		return uint64(binary.BigEndian.Uint32(v)), nil
	case kU64:
		if err := fixedLen(name, v, 8); err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint64(v), nil
	case kTime:
		if err := fixedLen(name, v, 8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(v)), nil
	case kID16:
		return v, fixedLen(name, v, 16)
	case kFingerprint:
		return v, fixedLen(name, v, 10)
	case kHash:
		return v, fixedLen(name, v, 32)
	case kSignature:
		return v, fixedLen(name, v, 64)
	case kElement:
		if _, err := decodeElement(v); err != nil {
			return nil, malformed("field %q: %v", name, err)
		}
		return v, nil
	case kPseudonym:
		return readPseudonym(name, v)
	case kPseudonymList:
		if len(v)%8 != 0 {
			return nil, malformed("field %q: %d bytes, not a multiple of 8", name, len(v))
		}
		var out []uint64
		seen := map[uint64]bool{}
		for i := 0; i < len(v); i += 8 {
			x, err := readPseudonym(name, v[i:i+8])
			if err != nil {
				return nil, err
			}
			if seen[x] {
				return nil, malformed("field %q: id %d repeated", name, x)
			}
			seen[x] = true
			out = append(out, x)
		}
		return out, nil
	case kText:
		return string(v), validEntryText(string(v), fs.max)
	case kTextEnum:
		for _, t := range fs.enumText {
			if string(v) == t {
				return t, nil
			}
		}
		return nil, malformed("field %q: %q not in its table", name, v)
	case kTextList:
		r := &reader{b: v}
		var out []string
		for r.remaining() > 0 && r.err == nil {
			t := string(r.lp())
			if r.err != nil {
				break
			}
			if err := validEntryText(t, fs.max); err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, r.done()
	case kPublicKey:
		k, err := parsePublicFile(string(v))
		if err != nil || encodePublicFile(k) != string(v) {
			return nil, malformed("field %q: not a public key file as an encoder writes it (%v)", name, err)
		}
		return k, nil
	case kConfig:
		f, err := parseConfigFile(string(v))
		if err != nil || encodeConfigFile(f) != string(v) {
			return nil, malformed("field %q: not a config file as an encoder writes it (%v)", name, err)
		}
		return f, nil
	case kVerifierKey:
		k, err := parseVerifierKey(string(v))
		if err != nil {
			return nil, err
		}
		if got := encodeFieldValue(fs, k); !bytes.Equal(got, v) {
			return nil, malformed("field %q: verifier key does not re-encode to its bytes", name)
		}
		return k, nil
	case kAttributes:
		m, err := parseAttributes(v)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	panic("unknown field kind")
}

// verifierKey is the §7.5 text, decoded.
type verifierKey struct {
	name string
	typ  byte
	pk   []byte
}

func verifierKeyID(name string, typ byte, pk []byte) []byte {
	return sha256sum([]byte(name), []byte("\n"), []byte{typ}, pk)[:4]
}

// parseVerifierKey is §7.5's parser, restricted to type 0x01 as §9.3 `init` says.
func parseVerifierKey(s string) (verifierKey, error) {
	var k verifierKey
	parts := strings.SplitN(s, "+", 3)
	if len(parts) != 3 || parts[0] == "" || !utf8.ValidString(parts[0]) {
		return k, malformed("verifier key: structure or name")
	}
	for _, r := range parts[0] {
		if strings.ContainsRune("\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000", r) || (r >= 0x2000 && r <= 0x200a) {
			return k, malformed("verifier key: white space in name")
		}
	}
	id, err := hex.DecodeString(parts[1])
	if err != nil || len(parts[1]) != 8 || strings.ToLower(parts[1]) != parts[1] {
		return k, malformed("verifier key: key id")
	}
	b, err := decodeBase64(parts[2])
	if err != nil || len(b) != 33 {
		return k, malformed("verifier key: key")
	}
	if b[0] != 0x01 {
		return k, malformed("verifier key: type 0x%02x, want 0x01", b[0])
	}
	k = verifierKey{parts[0], b[0], b[1:]}
	if !bytes.Equal(id, verifierKeyID(k.name, k.typ, k.pk)) {
		return k, malformed("verifier key: key id does not match")
	}
	return k, nil
}

// readTyped is §9.2–§9.3: the fields of e read by its type.
func readTyped(e entry) (map[string]interface{}, error) {
	ts := entryTypes[e.typ]
	out := map[string]interface{}{}
	for _, f := range e.fields {
		fs, ok := ts.fields[f.name]
		if !ok {
			return nil, malformed("%s: field %q not defined", ts.name, f.name)
		}
		v, err := readField(f.name, fs, f.value)
		if err != nil {
			return nil, err
		}
		out[f.name] = v
	}
	for name, fs := range ts.fields {
		if _, ok := out[name]; !ok && !fs.optional {
			return nil, malformed("%s: required field %q missing", ts.name, name)
		}
	}
	if ts.cond != nil {
		if err := ts.cond(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// encodeFieldValue is the inverse of readField.
func encodeFieldValue(fs fieldSpec, v interface{}) []byte {
	switch fs.kind {
	case kU8:
		for b, s := range fs.enum {
			if s == v.(string) {
				return u8(b)
			}
		}
	case kU16Min1:
		return u16(v.(int))
	case kU32:
		return u32(uint32(v.(uint64)))
	case kU64:
		return u64(v.(uint64))
	case kTime:
		return u64(uint64(v.(int64)))
	case kID16, kFingerprint, kHash, kSignature, kElement:
		return v.([]byte)
	case kPseudonym:
		return u64(v.(uint64))
	case kPseudonymList:
		var out []byte
		for _, x := range v.([]uint64) {
			out = cat(out, u64(x))
		}
		return out
	case kText, kTextEnum:
		return []byte(v.(string))
	case kTextList:
		var out []byte
		for _, t := range v.([]string) {
			out = cat(out, lp([]byte(t)))
		}
		return out
	case kPublicKey:
		return []byte(encodePublicFile(v.(publicKey)))
	case kConfig:
		return []byte(encodeConfigFile(v.(configFile)))
	case kVerifierKey:
		k := v.(verifierKey)
		return []byte(k.name + "+" + hex.EncodeToString(verifierKeyID(k.name, k.typ, k.pk)) + "+" +
			base64.StdEncoding.EncodeToString(cat([]byte{k.typ}, k.pk)))
	case kAttributes:
		b, err := encodeAttributes(v.(map[string]string))
		if err != nil {
			panic(err)
		}
		return b
	}
	panic("cannot encode")
}

// actorKey is the key §9.1 verifies under: the entry's own key field for
// init and register-actor, otherwise the key the registry knows under actor.
// Either way its fingerprint must be actor.
func actorKey(e entry, typed map[string]interface{}, known *publicKey) (publicKey, error) {
	var k publicKey
	switch entryTypes[e.typ].name {
	case "init":
		k = typed["operator_key"].(publicKey)
	case "register-actor":
		k = typed["key"].(publicKey)
	default:
		if known == nil {
			return k, verifyFailed("actor not known")
		}
		k = *known
	}
	if fp, _ := fingerprint(k.role, k.sign, k.enc); !bytes.Equal(fp, e.actor) {
		return k, verifyFailed("the key's fingerprint is not the actor")
	}
	return k, nil
}

// verifyEntry is the §9.4 order: parse the envelope, read the fields by type,
// find the actor's key, verify the signature under it, and for enrol verify the
// record signature (§9.3) under the same key.
func verifyEntry(registryID, b []byte, known *publicKey) (entry, map[string]interface{}, error) {
	e, err := parseEntry(b)
	if err != nil {
		return e, nil, err
	}
	typed, err := readTyped(e)
	if err != nil {
		return e, nil, err
	}
	k, err := actorKey(e, typed, known)
	if err != nil {
		return e, nil, err
	}
	if !ed25519Verify(k.sign, entrySigningMessage(registryID, e.unsigned), e.signature) {
		return e, nil, verifyFailed("entry signature does not verify")
	}
	if entryTypes[e.typ].name == "enrol" && !ed25519Verify(k.sign, enrolRecordMessage(registryID, typed), typed["record_signature"].([]byte)) {
		return e, nil, verifyFailed("record signature does not verify")
	}
	return e, typed, nil
}

// enrolRecordMessage is the §5.4 message rebuilt from an enrol entry's fields (§9.3).
func enrolRecordMessage(registryID []byte, typed map[string]interface{}) []byte {
	return cat(lp([]byte("amanah/v1/record-signature")), registryID, u64(typed["id"].(uint64)),
		typed["c1"].([]byte), typed["ciphertext_hash"].([]byte), encodeFieldValue(fieldSpec{kind: kAttributes}, typed["attributes"]))
}

// ---- checkers ----------------------------------------------------------------------

// entryKey checks the actor's test key and returns its public key.
func entryKey(c *check, o obj) publicKey {
	seed := o.hex("actor_sign_seed")
	c.eqHex("actor_sign_public", ed25519Public(seed), o.str("actor_sign_public"))
	k, err := parsePublicFile(o.str("actor_public_key_text"))
	c.code("actor_public_key_text", err, codeOK)
	c.eqHex("public key file sign", k.sign, o.str("actor_sign_public"))
	c.eqHex("public key file enc", k.enc, hex.EncodeToString(baseMul(mustScalar(o.hex("actor_enc_scalar"))).Bytes()))
	return k
}

// checkEntry checks a positive entry-*.json: it encodes the entry from its
// type, time, actor and fields, signs it, hashes it, then verifies and reads
// the entry in the file and re-encodes the typed values.
func checkEntry(c *check, o obj) {
	regID, seed := o.hex("registry_id"), o.hex("actor_sign_seed")
	k := entryKey(c, o)
	fp, _ := fingerprint(k.role, k.sign, k.enc)
	c.eqHex("actor = fingerprint of the actor's key", fp, o.str("actor"))

	typ := o.int("type")
	ts := entryTypes[typ]
	if ts == nil {
		c.fail("type %d not in §9.3", typ)
		return
	}
	c.eqStr("type_name", ts.name, o.str("type_name"))
	var fields []entryField
	for _, f := range o.objs("fields") {
		fields = append(fields, entryField{f.str("name"), f.hex("value")})
	}
	unsigned := encodeEntryUnsigned(typ, int64(o.int("time")), o.hex("actor"), fields)
	msg := entrySigningMessage(regID, unsigned)
	c.eqHex("signing_message", msg, o.str("signing_message"))
	sig := ed25519Sign(seed, msg)
	c.eqHex("signature", sig, o.str("signature"))
	c.eqHex("entry", cat(unsigned, sig), o.str("entry"))
	c.eqHex("leaf_hash", entryLeafHash(o.hex("entry")), o.str("leaf_hash"))

	e, typed, err := verifyEntry(regID, o.hex("entry"), &k)
	c.code("verify entry", err, o.str("expect"))
	if err != nil {
		return
	}
	// Typed round trip: every value re-encodes to its bytes.
	for _, f := range e.fields {
		if got := encodeFieldValue(ts.fields[f.name], typed[f.name]); !bytes.Equal(got, f.value) {
			c.fail("field %q re-encodes to %x, want %x", f.name, got, f.value)
		}
	}
	switch ts.name {
	case "enrol":
		checkEntryEnrol(c, o, typed)
	case "plan":
		c.eqHex("plan id", typed["id"].([]byte), o.str("plan_id"))
		people := typed["people"].([]uint64)
		want := o.list("people")
		c.eqInt("number of people", len(people), len(want))
		for i := 0; i < len(people) && i < len(want); i++ {
			c.eqStr(fmt.Sprintf("people[%d]", i), pseudonymText(people[i]), want[i].(string))
		}
	case "approve":
		c.eqHex("partial_hash = SHA256(attachment)", sha256sum(o.hex("attachment")), hex.EncodeToString(typed["partial_hash"].([]byte)))
	}
}

// checkEntryEnrol seals the record from the recorded inputs (§5) and checks
// that the entry holds its id, C1, ciphertext hash, attributes and record
// signature, and that the record signature verifies from the entry alone.
func checkEntryEnrol(c *check, o obj, typed map[string]interface{}) {
	regID := o.hex("registry_id")
	x := reduceScalar(o.hex("registry_key_x_wide"))
	c.eqHex("registry_key_x", x.Bytes(), o.str("registry_key_x"))
	X := baseMul(x)
	c.eqHex("registry_key_X", X.Bytes(), o.str("registry_key_X"))
	v, err := parsePseudonym(o.str("pseudonym"))
	c.code("pseudonym", err, codeOK)
	c.eqInt("pseudonym_value", int(v), o.int("pseudonym_value"))
	recID := u64(v)
	r := reduceScalar(o.hex("r_wide"))
	c.eqHex("r", r.Bytes(), o.str("r"))
	_, _, rec := sealRecord(regID, recID, X, []byte(o.str("payload_text")), r, o.hex("nonce"))
	c.eqHex("sealed_record", encodeSealedRecord(rec), o.str("sealed_record"))
	ctHash := sha256sum(rec.nonce, rec.ct)
	c.eqHex("ciphertext_hash", ctHash, o.str("ciphertext_hash"))
	attrs, err := encodeAttributes(stringMap(o.obj("attributes")))
	c.code("encode attributes", err, codeOK)
	c.eqHex("attributes_encoding", attrs, o.str("attributes_encoding"))
	msg := recordSignatureMessage(regID, rec, attrs)
	c.eqHex("record_signature_message", msg, o.str("record_signature_message"))
	c.eqHex("record_signature", ed25519Sign(o.hex("actor_sign_seed"), msg), o.str("record_signature"))

	// The entry's fields are the record's.
	c.eqInt("entry id", int(typed["id"].(uint64)), int(v))
	c.eqHex("entry c1", typed["c1"].([]byte), hex.EncodeToString(rec.C1.Bytes()))
	c.eqHex("entry ciphertext_hash", typed["ciphertext_hash"].([]byte), hex.EncodeToString(ctHash))
	c.eqHex("entry record_signature", typed["record_signature"].([]byte), o.str("record_signature"))
	// §9.3: the record signature verifies from the entry alone (§5.4 message
	// rebuilt from id, c1, ciphertext_hash and attributes), under the actor's key.
	fromEntry := enrolRecordMessage(regID, typed)
	c.eqHex("record signature message from the entry", fromEntry, o.str("record_signature_message"))
	if !ed25519Verify(o.hex("actor_sign_public"), fromEntry, typed["record_signature"].([]byte)) {
		c.fail("record signature does not verify from the entry alone")
	}
}

// checkEntryNegative verifies the file's entry and expects its code, then
// undoes the one change the file claims (undo) and expects the result to be a
// valid entry: so the file fails for the reason it states and no other.
func checkEntryNegative(undo func(c *check, o obj, e []byte) []byte) func(*check, obj) {
	return func(c *check, o obj) {
		regID := o.hex("registry_id")
		k := entryKey(c, o)
		b := o.hex("entry")
		_, _, err := verifyEntry(regID, b, &k)
		c.code("verify entry", err, o.str("expect"))
		if fixed := undo(c, o, b); fixed != nil {
			_, _, err := verifyEntry(regID, fixed, &k)
			c.code("entry with the change undone", err, codeOK)
		}
	}
}

// resigned checks that a "re-signed" file's signature is valid over its bytes.
func resigned(c *check, o obj, b []byte) {
	if len(b) < 64 {
		c.fail("entry shorter than a signature")
		return
	}
	msg := entrySigningMessage(o.hex("registry_id"), b[:len(b)-64])
	if !ed25519Verify(o.hex("actor_sign_public"), msg, b[len(b)-64:]) {
		c.fail("the file says re-signed, but the signature does not verify")
	}
}

var (
	checkEntryTrailingByte = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		if b[len(b)-1] != 0 {
			c.fail("last byte is not zero")
		}
		return b[:len(b)-1]
	})
	checkEntryBadSignature = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		fixed := append([]byte(nil), b...)
		fixed[len(fixed)-64] ^= 1
		return fixed
	})
	checkEntryUnknownType = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		c.eqInt("type byte", int(b[2]), 13)
		fixed := append([]byte(nil), b[:len(b)-64]...)
		fixed[2] = 8 // approve, per §8.3
		return cat(fixed, ed25519Sign(o.hex("actor_sign_seed"), entrySigningMessage(o.hex("registry_id"), fixed)))
	})
	checkEntryUnsortedFields = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		// Swap the first two fields back and re-sign.
		r := &reader{b: b[entryHeaderLen:]}
		var raw [2][]byte
		for i := range raw {
			start := len(b) - r.remaining()
			r.lp()
			r.take(int(r.u32()))
			raw[i] = b[start : len(b)-r.remaining()]
		}
		if r.err != nil {
			c.fail("cannot read the first two fields: %v", r.err)
			return nil
		}
		rest := b[len(b)-r.remaining() : len(b)-64]
		fixed := cat(b[:entryHeaderLen], raw[1], raw[0], rest)
		return cat(fixed, ed25519Sign(o.hex("actor_sign_seed"), entrySigningMessage(o.hex("registry_id"), fixed)))
	})
)

// refielded reads b's envelope, lets change edit its fields, and returns the
// entry encoded again and signed with the file's actor seed (§9.4: "with …
// set to …, it verifies").
func refielded(c *check, o obj, b []byte, change func(fields []entryField) []entryField) []byte {
	e, err := parseEntry(b)
	if err != nil {
		c.fail("envelope does not parse: %v", err)
		return nil
	}
	fields := change(append([]entryField(nil), e.fields...))
	unsigned := encodeEntryUnsigned(e.typ, e.time, e.actor, fields)
	return cat(unsigned, ed25519Sign(o.hex("actor_sign_seed"), entrySigningMessage(o.hex("registry_id"), unsigned)))
}

// fieldOf returns the value of the field name, or nil.
func fieldOf(fields []entryField, name string) []byte {
	for _, f := range fields {
		if f.name == name {
			return f.value
		}
	}
	return nil
}

// setField replaces the value of name; without it, the entry is unchanged.
func setField(fields []entryField, name string, value []byte) []entryField {
	for i := range fields {
		if fields[i].name == name {
			fields[i].value = value
		}
	}
	return fields
}

// entryTypeIs checks the envelope's type byte against the §9.3 name the file's
// text gives.
func entryTypeIs(c *check, b []byte, name string) {
	if e, err := parseEntry(b); err == nil && (entryTypes[e.typ] == nil || entryTypes[e.typ].name != name) {
		c.fail("entry type %d, want %s", e.typ, name)
	}
}

var (
	// An attest of kind suspend with expires: without it, it verifies.
	checkEntryAttestSuspendExpires = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		entryTypeIs(c, b, "attest")
		return refielded(c, o, b, func(fields []entryField) []entryField {
			if k := fieldOf(fields, "kind"); len(k) != 1 || k[0] != 2 {
				c.fail("kind is %x, want 02 (suspend)", k)
			}
			var out []entryField
			for _, f := range fields {
				if f.name != "expires" {
					out = append(out, f)
				}
			}
			if len(out) != len(fields)-1 {
				c.fail("no expires field")
			}
			return out
		})
	})
	// A register-actor whose key file differs from actor_public_key_text only in
	// its fingerprint line (well formed, another key's): with the key set to
	// actor_public_key_text, it verifies.
	checkEntryKeyBadFingerprint = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		entryTypeIs(c, b, "register-actor")
		want := o.str("actor_public_key_text")
		return refielded(c, o, b, func(fields []entryField) []entryField {
			got := strings.Split(string(fieldOf(fields, "key")), "\n")
			good := strings.Split(want, "\n")
			differ := 0
			for i := 0; i < len(got) && i < len(good); i++ {
				if got[i] != good[i] {
					differ++
					if !strings.HasPrefix(got[i], "fingerprint: ") {
						c.fail("line %d differs and is not the fingerprint line", i+1)
					}
				}
			}
			if len(got) != len(good) || differ != 1 {
				c.fail("the key file differs from actor_public_key_text in %d lines, want 1", differ)
			}
			if _, err := parsePublicFile(string(fieldOf(fields, "key"))); err == nil || codeOf(err) != codeVerifyFailed {
				c.fail("§3.2 on the key file: %v, want verify_failed (fingerprint does not match)", err)
			}
			return setField(fields, "key", []byte(want))
		})
	})
	// An init whose operator_key is another operator's key: with it set to
	// actor_public_key_text, it verifies; registry_id is the config's id.
	checkEntryInitWrongOperator = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		entryTypeIs(c, b, "init")
		return refielded(c, o, b, func(fields []entryField) []entryField {
			if f, err := parseConfigFile(string(fieldOf(fields, "config"))); err != nil {
				c.fail("config: %v", err)
			} else {
				c.eqHex("registry_id = the config's id", f.cfg.registryID, o.str("registry_id"))
			}
			other, err := parsePublicFile(string(fieldOf(fields, "operator_key")))
			if err != nil || roles[other.role] != "operator" {
				c.fail("operator_key is not an operator's public key file (%v)", err)
			}
			return setField(fields, "operator_key", []byte(o.str("actor_public_key_text")))
		})
	})
	// The enrol entry with bit 0 of record_signature's first byte flipped, re-signed.
	checkEntryEnrolBadRecordSignature = checkEntryNegative(func(c *check, o obj, b []byte) []byte {
		resigned(c, o, b)
		entryTypeIs(c, b, "enrol")
		return refielded(c, o, b, func(fields []entryField) []entryField {
			sig := append([]byte(nil), fieldOf(fields, "record_signature")...)
			if len(sig) == 0 {
				c.fail("no record_signature field")
				return fields
			}
			sig[0] ^= 1
			return setField(fields, "record_signature", sig)
		})
	})
)
