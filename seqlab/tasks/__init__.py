"""One module per task: prepare, baselines, build, predict and evaluate (docs/contracts.md, "Task modules")."""
