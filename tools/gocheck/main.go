// Command gocheck checks docs/vectors/log-*.json with the public Go verifiers of
// golang.org/x/mod/sumdb/note and sumdb/tlog (docs/spec.md §7, §8): our hashes must equal
// tlog's, tlog.CheckRecord and tlog.CheckTree must accept exactly our valid proofs,
// note.NewVerifier must accept our type 0x01 verifier keys and note.Open our signed
// checkpoints. x/mod 0.7.0 has no type 0x04 verifier, so cosignatures are checked here with
// crypto/ed25519 following C2SP tlog-cosignature.
//
// Usage: go run tools/gocheck/main.go docs/vectors   (GOPATH mode, GO111MODULE=off)
// Prints one line per file; exits 1 on any mismatch with a file's "expect".
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var errMalformed = errors.New("malformed")
var errVerify = errors.New("verify_failed")

func mustHash(s string) tlog.Hash {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		panic("bad hash in vector: " + s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func hashes(v []interface{}) []tlog.Hash {
	out := []tlog.Hash{}
	for _, x := range v {
		out = append(out, mustHash(x.(string)))
	}
	return out
}

func num(v interface{}) int64 { return int64(v.(float64)) }

// treeHashes compares tlog.RecordHash and tlog.TreeHash (over tlog.StoredHashes) with ours.
func treeHashes(v map[string]interface{}) error {
	data := v["leaf_data"].([]interface{})
	leafHashes := hashes(v["leaf_hashes"].([]interface{}))
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	roots := map[int64]tlog.Hash{}
	for _, t := range v["trees"].([]interface{}) {
		m := t.(map[string]interface{})
		roots[num(m["size"])] = mustHash(m["root"].(string))
	}
	// RFC 6962 §2.1: the empty tree's hash is SHA256(""); tlog returns zeros for size 0.
	if roots[0] != tlog.Hash(sha256.Sum256(nil)) {
		return fmt.Errorf("empty root is not SHA256(\"\")")
	}
	for i, d := range data {
		b, _ := hex.DecodeString(d.(string))
		if tlog.RecordHash(b) != leafHashes[i] {
			return fmt.Errorf("leaf %d: RecordHash differs", i)
		}
		h, err := tlog.StoredHashes(int64(i), b, reader)
		if err != nil {
			return err
		}
		stored = append(stored, h...)
		n := int64(i + 1)
		th, err := tlog.TreeHash(n, reader)
		if err != nil {
			return err
		}
		if want, ok := roots[n]; ok && th != want {
			return fmt.Errorf("size %d: TreeHash differs", n)
		}
	}
	// NodeHash directly, on the first two leaves.
	if len(leafHashes) >= 2 && tlog.NodeHash(leafHashes[0], leafHashes[1]) != roots[2] {
		return fmt.Errorf("NodeHash differs")
	}
	return nil
}

func inclusion(size int64, root tlog.Hash, p map[string]interface{}) error {
	leaf := mustHash(p["leaf_hash"].(string))
	if d, ok := p["leaf_data"]; ok {
		b, _ := hex.DecodeString(d.(string))
		if tlog.RecordHash(b) != leaf {
			return fmt.Errorf("leaf hash differs")
		}
	}
	if err := tlog.CheckRecord(hashes(p["proof"].([]interface{})), size, root,
		num(p["leaf_index"]), leaf); err != nil {
		return errVerify
	}
	return nil
}

func consistency(p map[string]interface{}) error {
	if err := tlog.CheckTree(hashes(p["proof"].([]interface{})), num(p["second_size"]),
		mustHash(p["second_root"].(string)), num(p["first_size"]),
		mustHash(p["first_root"].(string))); err != nil {
		return errVerify
	}
	return nil
}

// cosignerKey parses a type 0x04 verifier key "name+hex8+base64(0x04 ‖ key)".
type cosignerKey struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

func parseCosignerKey(s string) (cosignerKey, error) {
	parts := strings.SplitN(s, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return cosignerKey{}, errMalformed
	}
	id, err1 := strconv.ParseUint(parts[1], 16, 32)
	key, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(key) != 33 || key[0] != 0x04 {
		return cosignerKey{}, errMalformed
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	if binary.BigEndian.Uint32(h[:4]) != uint32(id) {
		return cosignerKey{}, errMalformed
	}
	return cosignerKey{parts[0], uint32(id), ed25519.PublicKey(key[1:])}, nil
}

// parseCheckpoint follows C2SP tlog-checkpoint (tlog.ParseTree insists on the go.sum origin).
func parseCheckpoint(text string) (origin string, size int64, err error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return "", 0, errMalformed
	}
	lines = lines[:len(lines)-1]
	for _, l := range lines {
		if l == "" {
			return "", 0, errMalformed
		}
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || lines[1] != strconv.FormatInt(n, 10) {
		return "", 0, errMalformed
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return "", 0, errMalformed
	}
	return lines[0], n, nil
}

func checkpoint(v map[string]interface{}) error {
	logKey, err := note.NewVerifier(v["log_verifier_key"].(string))
	if err != nil {
		return fmt.Errorf("note.NewVerifier rejects the log key: %v", err)
	}
	msg := []byte(v["signed_note"].(string))
	n, err := note.Open(msg, note.VerifierList(logKey))
	if err != nil {
		if err.Error() == "malformed note" {
			return errMalformed
		}
		return errVerify
	}
	origin, size, err := parseCheckpoint(n.Text)
	if err != nil {
		return err
	}
	if origin != v["origin"].(string) {
		return errVerify
	}
	if cp, ok := v["checkpoint"].(map[string]interface{}); ok && num(cp["size"]) != size {
		return fmt.Errorf("size differs")
	}
	// Cosignatures (C2SP tlog-cosignature): each known cosigner's line must verify.
	sigs := string(msg[bytes.LastIndex(msg, []byte("\n\n"))+2:])
	for _, ks := range v["cosigner_verifier_keys"].([]interface{}) {
		k, err := parseCosignerKey(ks.(string))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
			rest := strings.TrimPrefix(line, "— ")
			sp := strings.Index(rest, " ")
			if rest[:sp] != k.name {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(rest[sp+1:])
			if err != nil || len(b) < 4 || binary.BigEndian.Uint32(b) != k.id {
				continue
			}
			if len(b) != 4+8+ed25519.SignatureSize {
				return errVerify
			}
			ts := binary.BigEndian.Uint64(b[4:12])
			signed := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, n.Text)
			if ts > 1<<63-1 || !ed25519.Verify(k.pub, []byte(signed), b[12:]) {
				return errVerify
			}
			if want, ok := v["timestamp"]; ok && uint64(want.(float64)) != ts {
				return fmt.Errorf("timestamp differs")
			}
		}
	}
	return nil
}

func verifierKey(v map[string]interface{}) error {
	s := v["verifier_key"].(string)
	if t, ok := v["type"]; ok && num(t) == 0x04 {
		_, err := parseCosignerKey(s)
		return err
	}
	if _, err := note.NewVerifier(s); err != nil {
		return errMalformed
	}
	if pk, ok := v["public_key"]; ok {
		b, _ := hex.DecodeString(pk.(string))
		want, _ := note.NewEd25519VerifierKey(v["name"].(string), ed25519.PublicKey(b))
		if want != s {
			return fmt.Errorf("NewEd25519VerifierKey gives %s", want)
		}
	}
	return nil
}

func run(v map[string]interface{}) error {
	switch v["kind"].(string) {
	case "tree-hashes":
		return treeHashes(v)
	case "inclusion":
		return inclusion(num(v["tree_size"]), mustHash(v["root"].(string)), v)
	case "inclusion-all":
		for _, p := range v["proofs"].([]interface{}) {
			if err := inclusion(num(v["tree_size"]), mustHash(v["root"].(string)),
				p.(map[string]interface{})); err != nil {
				return err
			}
		}
		return nil
	case "consistency":
		return consistency(v)
	case "consistency-all":
		for _, p := range v["proofs"].([]interface{}) {
			if err := consistency(p.(map[string]interface{})); err != nil {
				return err
			}
		}
		return nil
	case "checkpoint":
		return checkpoint(v)
	case "verifier-key":
		return verifierKey(v)
	}
	return fmt.Errorf("unknown kind %q", v["kind"])
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gocheck DIR")
		os.Exit(2)
	}
	files, _ := filepath.Glob(filepath.Join(os.Args[1], "log-*.json"))
	sort.Strings(files)
	bad := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		var v map[string]interface{}
		if err == nil {
			err = json.Unmarshal(raw, &v)
		}
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", filepath.Base(f), err)
			bad++
			continue
		}
		expect := v["expect"].(string)
		err = run(v)
		got := "ok"
		switch {
		case err == nil:
		case err == errMalformed || err == errVerify:
			got = err.Error()
		default:
			got = "error: " + err.Error()
		}
		// tlog reports every bad proof, malformed or not, as one failure: for proofs we check
		// only that Go rejects what we call malformed.
		kind := v["kind"].(string)
		isProof := strings.HasPrefix(kind, "inclusion") || strings.HasPrefix(kind, "consistency")
		match := got == expect || (isProof && expect == "malformed" && got == "verify_failed")
		status := "ok  "
		if !match {
			status = "FAIL"
			bad++
		}
		fmt.Printf("%s %s: expect %s, x/mod/sumdb says %s\n", status, filepath.Base(f), expect, got)
	}
	if len(files) == 0 {
		fmt.Println("FAIL no log-*.json files")
		bad++
	}
	fmt.Printf("gocheck: %d files, %d mismatches\n", len(files), bad)
	if bad > 0 {
		os.Exit(1)
	}
}
