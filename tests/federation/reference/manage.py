#!/usr/bin/env python3
"""Django's command-line utility for the reference federation harness.

Pick the role with DJANGO_SETTINGS_MODULE=reference.settings_ta (trust
anchor) or reference.settings_rp (relying party); run.py does this for you.
"""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reference.settings_rp")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
