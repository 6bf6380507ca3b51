"""Background work: one job abstraction on a thread pool, and the job functions it runs."""

from ei_desktop.gui.jobs.runner import Job, JobRunner, JobSignals

__all__ = ["Job", "JobRunner", "JobSignals"]
