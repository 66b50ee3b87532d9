"""Notification adapters (NTF-2, NTF-3): channels behind one small interface, templates and
signed action links. Pure adapters: nothing here reads the database."""
