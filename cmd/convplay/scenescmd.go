package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"convplay/dataset"
	"convplay/scenes"
)

func init() {
	commands["scenes"] = command{
		summary: "list (and draw as PNGs) the segmentation scenes of a data set: each scene's items and where they are",
		run:     func(args []string) error { return runScenes(args, os.Stdout) },
	}
}

// sceneLine is one line of the scenes command's output.
type sceneLine struct {
	Split string        `json:"split"`
	Seed  uint64        `json:"seed"`
	Index int           `json:"index"`
	Items []scenes.Item `json:"items"`
	PNG   string        `json:"png,omitempty"`
}

func runScenes(args []string, stdout io.Writer) error {
	fs := newFlagSet("scenes", "[-data digits|fashion|DIR] [-split test|validation|train] [-n 10] [-first 0] [-seed S] [-png DIR]")
	data := fs.String("data", "digits", "the packed data set whose images the scenes are made of: digits, fashion or a directory holding manifest.json")
	splitName := fs.String("split", dataset.Test, "whose images: test or validation (the fixed scenes, seed 2026) or train")
	n := fs.Int("n", 10, "how many scenes")
	first := fs.Int("first", 0, "the first scene's index")
	seed := fs.Uint64("seed", scenes.FixedSeed, "the scenes' seed (train scenes use the training run's -seed)")
	pngDir := fs.String("png", "", "a directory to write each scene as NAME.png (the canvas, input to predict) and NAME.labels.png (the true class map)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *n < 0 || *first < 0 {
		fs.Usage()
		return errUsage
	}
	base, _ := sceneBase(*data)
	ds, err := openData(base)
	if err != nil {
		return err
	}
	var src scenes.Source
	split := map[string]int{dataset.Train: scenes.Train, dataset.Validation: scenes.Validation, dataset.Test: scenes.Test}
	k, ok := split[*splitName]
	if !ok {
		return fmt.Errorf("-split %q: want test, validation or train", *splitName)
	}
	if *splitName == dataset.Test {
		src = ds.DedupTest() // as train and evaluate make the test scenes
	} else if src, err = ds.Split(*splitName); err != nil {
		return err
	}
	g, err := scenes.New(src, *seed, k)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	px, lab := make([]uint8, scenes.Side*scenes.Side), make([]uint8, scenes.Side*scenes.Side)
	for i := *first; i < *first+*n; i++ {
		line := sceneLine{Split: *splitName, Seed: *seed, Index: i, Items: g.Draw(px, lab, i)}
		if *pngDir != "" {
			name := filepath.Join(*pngDir, fmt.Sprintf("%s-%s-%d", ds.Manifest.Name, *splitName, i))
			line.PNG = name + ".png"
			canvas := &image.Gray{Pix: px, Stride: scenes.Side, Rect: image.Rect(0, 0, scenes.Side, scenes.Side)}
			if err := writeFileAtomic(line.PNG, func(f *os.File) error { return png.Encode(f, canvas) }); err != nil {
				return err
			}
			cm := make([]int, len(lab))
			for j, l := range lab {
				cm[j] = int(l)
			}
			if err := writeFileAtomic(name+".labels.png", func(f *os.File) error {
				return writeClassMap(f, cm, scenes.Side, scenes.Side)
			}); err != nil {
				return err
			}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}
