"""Course data: a shared world of facts (world), the pre-training corpus generator (stories), the task datasets."""
