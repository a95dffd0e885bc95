"""Console views: thin routes (queue.py) over services (intakes.py) and pure helpers."""
