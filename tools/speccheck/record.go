package main

// Spec §5: sealing a record — key derivation and AEAD, the sealed record
// layout, the clear attributes encoding and the enroller's signature.

import (
	"sort"
	"unicode/utf8"

	"github.com/bwesterb/go-ristretto"
)

const maxPayload = 1048576

// sealedRecord is the §5.2 layout, decoded.
type sealedRecord struct {
	recordID []byte
	C1       *ristretto.Point
	nonce    []byte
	ct       []byte
}

// recordKey is K of §5.1.
func recordKey(C1, S, X *ristretto.Point, recordID []byte) []byte {
	return blake2b256(lp([]byte("amanah/v1/record-key")), C1.Bytes(), S.Bytes(), X.Bytes(), recordID)
}

// recordAD is registry_id ‖ record_id ‖ u16(1).
func recordAD(registryID, recordID []byte) []byte { return cat(registryID, recordID, u16(1)) }

// sealRecord is §5.1 with the recorded r and nonce; it returns S, K and the record.
func sealRecord(registryID, recordID []byte, X *ristretto.Point, payload []byte, r *ristretto.Scalar, nonce []byte) (*ristretto.Point, []byte, sealedRecord) {
	C1 := baseMul(r)
	S := mul(r, X)
	if isIdentity(S) {
		panic("record: r·X is the identity")
	}
	K := recordKey(C1, S, X, recordID)
	ct := aeadSeal(K, nonce, recordAD(registryID, recordID), payload)
	return S, K, sealedRecord{recordID, C1, nonce, ct}
}

func encodeSealedRecord(s sealedRecord) []byte {
	return cat(u16(1), s.recordID, s.C1.Bytes(), s.nonce, u32(uint32(len(s.ct))), s.ct)
}

// parseSealedRecord is §5.2.
func parseSealedRecord(b []byte) (sealedRecord, error) {
	var s sealedRecord
	r := &reader{b: b}
	if v := r.u16(); r.err == nil && v != 1 {
		return s, malformed("sealed record version %d", v)
	}
	s.recordID = r.take(8)
	c1 := r.take(32)
	s.nonce = r.take(24)
	n := r.u32()
	if r.err != nil {
		return s, r.err
	}
	var err error
	if s.C1, err = decodeElement(c1); err != nil {
		return s, err
	}
	if n < 17 || n > maxPayload+16 {
		return s, malformed("ciphertext length %d", n)
	}
	s.ct = r.take(int(n))
	return s, r.done()
}

// openRecord is the §5.1 opening given S.
func openRecord(registryID []byte, X *ristretto.Point, s sealedRecord, S *ristretto.Point) ([]byte, error) {
	m, ok := aeadOpen(recordKey(s.C1, S, X, s.recordID), s.nonce, recordAD(registryID, s.recordID), s.ct)
	if !ok {
		return nil, verifyFailed("record does not decrypt")
	}
	return m, nil
}

// ---- §5.3 attributes -------------------------------------------------------------

func validAttrKey(k string) bool {
	if len(k) < 1 || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '.' || ch == '-') {
			return false
		}
	}
	return true
}

func validAttrValue(v string) bool { return len(v) <= 1024 && utf8.ValidString(v) }

// encodeAttributes is the canonical encoding; it refuses an invalid map.
func encodeAttributes(m map[string]string) ([]byte, error) {
	if len(m) > 64 {
		return nil, malformed("more than 64 attributes")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // byte order, a proper prefix first
	out := u16(len(keys))
	for _, k := range keys {
		if !validAttrKey(k) || !validAttrValue(m[k]) {
			return nil, malformed("invalid attribute %q", k)
		}
		out = cat(out, lp([]byte(k)), lp([]byte(m[k])))
	}
	return out, nil
}

// parseAttributes is the strict §5.3 parser.
func parseAttributes(b []byte) (map[string]string, error) {
	r := &reader{b: b}
	n := r.u16()
	if r.err == nil && n > 64 {
		return nil, malformed("count %d > 64", n)
	}
	m := map[string]string{}
	prev := ""
	for i := 0; i < n && r.err == nil; i++ {
		k, v := string(r.lp()), string(r.lp())
		if r.err != nil {
			break
		}
		if !validAttrKey(k) || !validAttrValue(v) {
			return nil, malformed("invalid attribute %q", k)
		}
		if i > 0 && k <= prev {
			return nil, malformed("attribute keys not strictly ascending (%q after %q)", k, prev)
		}
		m[k], prev = v, k
	}
	return m, r.done()
}

// ---- §5.4 enroller signature -------------------------------------------------------

func recordSignatureMessage(registryID []byte, s sealedRecord, attrs []byte) []byte {
	return cat(lp([]byte("amanah/v1/record-signature")), registryID, s.recordID, s.C1.Bytes(),
		sha256sum(s.nonce, s.ct), attrs)
}

// verifyRecord is the §5.5 order: parse the record, parse the attributes,
// verify the signature, open with S = x·C1.
func verifyRecord(registryID []byte, X *ristretto.Point, x *ristretto.Scalar, sealed, attrs, sig, pub []byte) ([]byte, error) {
	s, err := parseSealedRecord(sealed)
	if err != nil {
		return nil, err
	}
	if _, err := parseAttributes(attrs); err != nil {
		return nil, err
	}
	if len(sig) != 64 {
		return nil, malformed("signature of %d bytes", len(sig))
	}
	if !ed25519Verify(pub, recordSignatureMessage(registryID, s, attrs), sig) {
		return nil, verifyFailed("enroller signature does not verify")
	}
	return openRecord(registryID, X, s, mul(x, s.C1))
}

// ---- checker -------------------------------------------------------------------------

func stringMap(o obj) map[string]string {
	m := map[string]string{}
	for k, v := range o {
		m[k] = v.(string)
	}
	return m
}

// checkSeal recomputes the honest sealing from the recorded randomness, then
// runs the verifier's pipeline on the (possibly broken) record in the file.
func checkSeal(c *check, o obj) {
	regID, recID, payload := o.hex("registry_id"), o.hex("record_id"), o.hex("payload")
	x := mustScalar(o.hex("registry_secret_x"))
	X := baseMul(x)
	c.eqHex("X", X.Bytes(), o.str("X"))
	r := reduceScalar(o.hex("r_random_bytes"))
	c.eqHex("r", r.Bytes(), o.str("r"))
	S, K, honest := sealRecord(regID, recID, X, payload, r, o.hex("nonce"))
	c.eqHex("C1", honest.C1.Bytes(), o.str("C1"))
	c.eqHex("S", S.Bytes(), o.str("S"))
	c.eqHex("K", K, o.str("K"))
	c.eqHex("ad", recordAD(regID, recID), o.str("ad"))
	pub := ed25519Public(o.hex("signing_seed"))
	c.eqHex("signing_public_key", pub, o.str("signing_public_key"))
	if o.has("attributes") {
		enc, err := encodeAttributes(stringMap(o.obj("attributes")))
		c.code("encode attributes", err, codeOK)
		c.eqHex("attributes_encoding", enc, o.str("attributes_encoding"))
	}

	expect := o.str("expect")
	if expect == codeOK {
		attrs := o.hex("attributes_encoding")
		c.eqHex("ciphertext", honest.ct, o.str("ciphertext"))
		c.eqHex("sealed_record", encodeSealedRecord(honest), o.str("sealed_record"))
		msg := recordSignatureMessage(regID, honest, attrs)
		c.eqHex("signature_message", msg, o.str("signature_message"))
		c.eqHex("signature", ed25519Sign(o.hex("signing_seed"), msg), o.str("signature"))
	}
	m, err := verifyRecord(regID, X, x, o.hex("sealed_record"), o.hex("attributes_encoding"), o.hex("signature"), pub)
	c.code("verify and open", err, expect)
	if err == nil {
		c.eqHex("opened payload", m, o.str("payload"))
	}
	// A vector that claims "validly signed" must be: the signature verifies
	// over its signature_message even though the verifier rejects the record.
	if expect == codeMalformed && !ed25519Verify(pub, o.hex("signature_message"), o.hex("signature")) {
		c.fail("signature does not verify over signature_message")
	}
}
