package sandbox

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaceImagesCarryTheirName(t *testing.T) {
	tests := []struct {
		name   string
		img    []byte
		want   string
		isPNG  bool
		isJPEG bool
	}{
		{"png alice", FaceImage("alice"), "alice", true, false},
		{"png bob", FaceImage("bob"), "bob", true, false},
		{"jpeg alice", FaceJPEG("alice"), "alice", false, true},
		{"document face", DocumentImage(Document{Number: "X1", Face: "carol"}), "carol", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, FaceOf(tc.img))
			assert.Equal(t, tc.isPNG, IsPNG(tc.img))
			assert.Equal(t, tc.isJPEG, IsJPEG(tc.img))
			// Still a decodable image: vendors' image checks must accept it.
			var err error
			if tc.isPNG {
				_, err = png.Decode(bytes.NewReader(tc.img))
			} else {
				_, err = jpeg.Decode(bytes.NewReader(tc.img))
			}
			require.NoError(t, err)
		})
	}
}

func TestFaceOfUnknownBytesIsStable(t *testing.T) {
	a := FaceOf([]byte("some other picture"))
	assert.Equal(t, a, FaceOf([]byte("some other picture")))
	assert.NotEqual(t, a, FaceOf([]byte("another picture")))
	assert.Regexp(t, `^anon-[0-9a-f]{12}$`, a)
}

func TestDocumentRoundTrip(t *testing.T) {
	d := Document{Kind: "passport", Country: "US", Number: "P123", FirstName: "Ann", LastName: "Lee",
		DateOfBirth: "1990-01-02", Expiry: "2031-01-01", Face: "ann", Fake: true}
	got, ok := DocumentOf(DocumentImage(d))
	require.True(t, ok)
	assert.Equal(t, d, got)
	_, ok = DocumentOf(FaceImage("ann"))
	assert.False(t, ok)
}

func TestFakeClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFakeClock(start)
	c.Advance(2 * time.Minute)
	assert.Equal(t, start.Add(2*time.Minute), c.Now())
}

func TestNewID(t *testing.T) {
	id := NewID()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	assert.NotEqual(t, id, NewID())
	assert.Len(t, RandomHex(32), 64)
}

// TestFaceImageIsAValidPNG: the hand-written PNG decodes with image/png as the 8x8 image
// of its seed, for faces and documents alike.
func TestFaceImageIsAValidPNG(t *testing.T) {
	for _, img := range [][]byte{FaceImage("alice"), FaceImage(""), DocumentImage(Document{Number: "X1", Face: "bob"})} {
		got, err := png.Decode(bytes.NewReader(img))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if b := got.Bounds(); b.Dx() != 8 || b.Dy() != 8 {
			t.Fatalf("bounds %v, want 8x8", b)
		}
	}
	want, _ := png.Decode(bytes.NewReader(FaceImage("alice")))
	r, g, b, _ := want.At(3, 2).RGBA()
	ref := tinyImage("alice").At(3, 2)
	r2, g2, b2, _ := ref.RGBA()
	if r != r2 || g != g2 || b != b2 {
		t.Fatalf("pixel (3,2) = %v, want the seed's %v", want.At(3, 2), ref)
	}
	if n := len(FaceImage("alice")); n > 1024 {
		t.Fatalf("a face image is %d bytes, want a small one", n)
	}
}

// BenchmarkFaceImage: one 8x8 face, as every test and the soak make them.
func BenchmarkFaceImage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = FaceImage("alice")
	}
}
