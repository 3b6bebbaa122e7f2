package main

// Known-answer tests from the RFCs that §1.3 cites, run before the vectors so
// that a library disagreement is not mistaken for a spec finding.

import (
	"encoding/hex"
	"fmt"
	"math/big"
)

func selfTest() error {
	// RFC 9496 Appendix A.1: 2·B.
	two := baseMul(scalarFromInt(2)).Bytes()
	if hex.EncodeToString(two) != "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919" {
		return fmt.Errorf("RFC 9496 A.1: 2·B = %x", two)
	}
	// RFC 9496 Appendix A.2: encodings that MUST be rejected.
	for _, bad := range []string{
		"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // non-canonical
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // non-canonical
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // non-canonical
		"0100000000000000000000000000000000000000000000000000000000000000", // negative
		"26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371", // not square
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // s = -1, y = 0
	} {
		if _, err := decodeElement(mustHex(bad)); err == nil {
			return fmt.Errorf("RFC 9496 A.2: %s accepted", bad)
		}
	}
	// RFC 9496 Appendix A.3: element derivation from 64 uniform bytes.
	for in, out := range map[string]string{
		"5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c14d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6": "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
		"f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b270102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38": "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b",
		"8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c": "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826",
	} {
		if got := hex.EncodeToString(fromUniformBytes(mustHex(in)).Bytes()); got != out {
			return fmt.Errorf("RFC 9496 A.3: got %s, want %s", got, out)
		}
	}
	// RFC 9380 Appendix K.3: expand_message_xmd(SHA-512).
	dst := []byte("QUUX-V01-CS02-with-expander-SHA512-256")
	for msg, out := range map[string]string{
		"":    "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba",
		"abc": "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc",
	} {
		if got := hex.EncodeToString(expandMessageXMD([]byte(msg), dst, 32)); got != out {
			return fmt.Errorf("RFC 9380 K.3 %q: got %s", msg, got)
		}
	}
	// RFC 8032 §7.1 TEST 1 public key must pass the §3.2 point check, and
	// the neutral element (small order) must not.
	if !ed25519ValidPoint(mustHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")) {
		return fmt.Errorf("RFC 8032 TEST 1 public key rejected")
	}
	if ed25519ValidPoint(mustHex("0100000000000000000000000000000000000000000000000000000000000000")) {
		return fmt.Errorf("small-order Ed25519 point accepted")
	}
	// The §1.2 list of small-order encodings: every canonical entry, with
	// either sign bit, decodes to a point of order dividing 8.
	for _, h := range ed25519SmallOrderList {
		for _, top := range []byte{0, 0x80} {
			enc := mustHex(h)
			enc[31] |= top
			if pt, ok := edDecode(enc); ok && !edMul(pt, big.NewInt(8)).isIdentity() {
				return fmt.Errorf("listed encoding %x is not of small order", enc)
			}
		}
	}
	return nil
}
