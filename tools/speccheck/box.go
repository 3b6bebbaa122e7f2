package main

// Spec §3.5: sealing to a public key (the box).

import "github.com/bwesterb/go-ristretto"

// boxKey is BLAKE2b-256(LP("amanah/v1/box") ‖ LP(purpose) ‖ E ‖ P ‖ Z).
func boxKey(purpose string, E, P, Z *ristretto.Point) []byte {
	return blake2b256(lp([]byte("amanah/v1/box")), lp([]byte(purpose)), E.Bytes(), P.Bytes(), Z.Bytes())
}

// sealBox is SealTo(P, purpose, ad, m) with the recorded ephemeral scalar e
// and nonce.
func sealBox(P *ristretto.Point, purpose string, ad, m []byte, e *ristretto.Scalar, nonce []byte) []byte {
	E := baseMul(e)
	Z := mul(e, P)
	if isIdentity(Z) {
		panic("box: e·P is the identity")
	}
	return cat(E.Bytes(), nonce, aeadSeal(boxKey(purpose, E, P, Z), nonce, ad, m))
}

// openBox is the §3.5 opening with the recipient's secret scalar p.
func openBox(p *ristretto.Scalar, purpose string, ad, box []byte) ([]byte, error) {
	if len(box) < 72 {
		return nil, malformed("box shorter than 72 bytes")
	}
	E, err := decodeElement(box[:32])
	if err != nil {
		return nil, err
	}
	Z := mul(p, E)
	m, ok := aeadOpen(boxKey(purpose, E, baseMul(p), Z), box[32:56], ad, box[56:])
	if !ok {
		return nil, verifyFailed("box does not open")
	}
	return m, nil
}
