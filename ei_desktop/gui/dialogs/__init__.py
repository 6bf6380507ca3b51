"""The app's dialogs: upload options, CSV import, progress, results, connection, about,
confirmations and unexpected errors.
"""
