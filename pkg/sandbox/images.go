package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/adler32"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
)

const (
	faceKey     = "idvkit-face"
	documentKey = "idvkit-document"
)

// Document is what a helper-made identity document shows. Emulators that read documents
// (OCR, document checks) read these fields back from DocumentImage's output.
type Document struct {
	// Kind is the document type, e.g. "passport", "driver_license", "national_id".
	Kind string `json:"kind"`
	// Country is the issuing country, ISO 3166-1 alpha-2 (e.g. "US", "CO").
	Country     string `json:"country"`
	Number      string `json:"number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DateOfBirth string `json:"date_of_birth"` // YYYY-MM-DD
	Expiry      string `json:"expiry"`        // YYYY-MM-DD
	// Face is the name of the face printed on the document (see FaceImage).
	Face string `json:"face"`
	// Fake marks a forged document: emulators report it as likely fake.
	Fake bool `json:"fake,omitempty"`
}

// FaceImage returns a small valid PNG of the face called name. Emulators read the name
// back with FaceOf, so two images of "alice" match each other and not "bob".
func FaceImage(name string) []byte {
	return withPNGText(tinyPNG(name), faceKey, name)
}

// FaceJPEG returns a small valid JPEG of the face called name.
func FaceJPEG(name string) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, tinyImage(name), &jpeg.Options{Quality: 80}); err != nil {
		panic("sandbox: jpeg encode: " + err.Error())
	}
	b := buf.Bytes()
	// A COM segment right after SOI carries the face name.
	payload := []byte(faceKey + ":" + name)
	seg := make([]byte, 4, 4+len(payload))
	seg[0], seg[1] = 0xFF, 0xFE
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := make([]byte, 0, len(b)+len(seg))
	out = append(out, b[:2]...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

// FaceOf returns the face shown in img: the name given to FaceImage/FaceJPEG (or the
// document's face for DocumentImage), else "anon-" followed by a digest of the bytes.
func FaceOf(img []byte) string {
	if name, ok := pngText(img, faceKey); ok {
		return name
	}
	if name, ok := jpegComment(img, faceKey); ok {
		return name
	}
	if d, ok := DocumentOf(img); ok && d.Face != "" {
		return d.Face
	}
	sum := sha256.Sum256(img)
	return "anon-" + hex.EncodeToString(sum[:6])
}

// DocumentImage returns a PNG of the document d; DocumentOf reads it back.
func DocumentImage(d Document) []byte {
	js, err := json.Marshal(d)
	if err != nil {
		panic("sandbox: document encode: " + err.Error())
	}
	return withPNGText(tinyPNG("doc:"+d.Number), documentKey, string(js))
}

// DocumentOf returns the document shown in a DocumentImage, or false for any other image.
func DocumentOf(img []byte) (Document, bool) {
	s, ok := pngText(img, documentKey)
	if !ok {
		return Document{}, false
	}
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Document{}, false
	}
	return d, true
}

// IsPNG and IsJPEG tell an image's type by its magic bytes.
func IsPNG(b []byte) bool  { return bytes.HasPrefix(b, pngMagic) }
func IsJPEG(b []byte) bool { return len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

func tinyImage(seed string) image.Image {
	sum := sha256.Sum256([]byte(seed))
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		img.Set(i%8, i/8, color.RGBA{sum[i%32], sum[(i+7)%32], sum[(i+13)%32], 255})
	}
	return img
}

// tinyPNG writes the 8x8 image of seed as a PNG by hand: 8-bit RGB, one IDAT holding a
// zlib stream of a single stored (uncompressed) block. image/png's encoder would allocate a
// whole zlib compressor (about 850 KB) for 200 bytes of pixels; this costs one buffer.
func tinyPNG(seed string) []byte {
	const w, h, row = 8, 8, 1 + 8*3 // a filter byte, then RGB
	sum := sha256.Sum256([]byte(seed))
	var raw [h * row]byte
	for y := 0; y < h; y++ {
		raw[y*row] = 0 // filter: none
		for x := 0; x < w; x++ {
			i := y*w + x
			px := raw[y*row+1+x*3:]
			px[0], px[1], px[2] = sum[i%32], sum[(i+7)%32], sum[(i+13)%32]
		}
	}
	out := make([]byte, 0, 8+25+12+2+5+len(raw)+4+12+12)
	out = append(out, pngMagic...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // bit depth 8, colour type RGB; compression, filter, interlace 0
	out = appendPNGChunk(out, "IHDR", ihdr[:])
	// zlib: CMF/FLG for deflate with a 32 KiB window and no dictionary (0x78 0x01 is a
	// multiple of 31), one final stored block of len(raw) bytes, then Adler-32.
	z := make([]byte, 0, 2+5+len(raw)+4)
	z = append(z, 0x78, 0x01, 0x01, byte(len(raw)), byte(len(raw)>>8), ^byte(len(raw)), ^byte(len(raw)>>8))
	z = append(z, raw[:]...)
	z = binary.BigEndian.AppendUint32(z, adler32.Checksum(raw[:]))
	out = appendPNGChunk(out, "IDAT", z)
	return appendPNGChunk(out, "IEND", nil)
}

// appendPNGChunk appends a chunk: length, type, data, CRC of type and data.
func appendPNGChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// withPNGText inserts a tEXt chunk key\0value just before IEND.
func withPNGText(p []byte, key, value string) []byte {
	data := append([]byte(key+"\x00"), value...)
	chunk := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(chunk[0:4], uint32(len(data)))
	copy(chunk[4:8], "tEXt")
	chunk = append(chunk, data...)
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = binary.BigEndian.AppendUint32(chunk, crc)
	iend := len(p) - 12 // IEND is always the last 12 bytes
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:iend]...)
	out = append(out, chunk...)
	return append(out, p[iend:]...)
}

// pngText returns the value of the tEXt chunk named key.
func pngText(p []byte, key string) (string, bool) {
	if !IsPNG(p) {
		return "", false
	}
	for i := len(pngMagic); i+8 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i : i+4]))
		typ := string(p[i+4 : i+8])
		if n < 0 || i+12+n > len(p) {
			return "", false
		}
		if typ == "tEXt" {
			data := string(p[i+8 : i+8+n])
			if k, v, ok := strings.Cut(data, "\x00"); ok && k == key {
				return v, true
			}
		}
		if typ == "IEND" {
			break
		}
		i += 12 + n
	}
	return "", false
}

// jpegComment returns the text after "key:" in a COM segment.
func jpegComment(b []byte, key string) (string, bool) {
	if !IsJPEG(b) {
		return "", false
	}
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker := b[i+1]
		if marker == 0xDA { // start of scan: no more metadata
			break
		}
		n := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if n < 2 || i+2+n > len(b) {
			break
		}
		if marker == 0xFE {
			if v, ok := strings.CutPrefix(string(b[i+4:i+2+n]), key+":"); ok {
				return v, true
			}
		}
		i += 2 + n
	}
	return "", false
}
