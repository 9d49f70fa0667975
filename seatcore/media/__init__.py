"""Uploaded media (movie posters): checked and re-encoded by content in ``images``, kept by a
``MediaStore`` (the data folder, or an S3-compatible bucket) chosen in settings."""
