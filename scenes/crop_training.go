package scenes

import (
	"fmt"

	"convplay/nn"
)

// CropTraining sets up training the compiled scenes model m on windows of
// side from train's scenes: the windows (Crops, which follow train's
// offset) and m resized to them (nn.Model.Resized: the same
// weights), compiled with a fresh optimizer of m's spec and m's loss.
// Training the resized model moves m; validate the whole scenes with m
// itself (nn.FitConfig.ValidationModel). A side the network cannot map
// back to a window of its own size (its poolings floor an odd size) is an
// error.
func CropTraining(m *nn.Model, train *Data, side int) (*Crops, *nn.Model, error) {
	crops, err := NewCrops(train, side)
	if err != nil {
		return nil, nil, err
	}
	r, err := m.Resized(nn.Shape{side, side, 1})
	if err == nil {
		err = nn.ValidateForMaps(r, nn.Shape{side, side, 1}, m.OutShape()[len(m.OutShape())-1])
	}
	if err != nil {
		return nil, nil, fmt.Errorf("windows of side %d: %w", side, err)
	}
	opt, err := nn.NewOptimizer(m.Optimizer().Spec())
	if err != nil {
		return nil, nil, err
	}
	if err := r.Compile(opt, m.Loss()); err != nil {
		return nil, nil, err
	}
	return crops, r, nil
}
