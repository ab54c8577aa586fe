"""What every stage shares: device and precision, the learning-rate schedule, seeds, errors and grids."""
