package imageprep

import (
	"bytes"
	"fmt"
	"image"
	"io"
)

// Bounds on a picture given to Decode: a PNG of a few dozen bytes can
// declare a million by a million pixels, which decoding would try to
// allocate (4 TB), so the size its header declares is checked first.
const (
	MaxPixels    = 1 << 25 // 33.5 megapixels, e.g. 8192 x 4096
	MaxFileBytes = 1 << 28 // 256 MiB
)

// Decode decodes a picture in any format registered with the image package
// (convplay predict registers PNG and JPEG) after checking, from its header
// alone, that it holds at least one and at most MaxPixels pixels.
func Decode(r io.Reader) (image.Image, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > MaxFileBytes {
		return nil, "", fmt.Errorf("imageprep: the file is larger than %d bytes", MaxFileBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, "", fmt.Errorf("imageprep: the %s picture declares %dx%d pixels; at most %d (scale it down)",
			format, cfg.Width, cfg.Height, MaxPixels)
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	return img, format, nil
}
