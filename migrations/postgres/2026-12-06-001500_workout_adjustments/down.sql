DROP TABLE workout_adjustments;
