"""Anonymous surveys: definitions, answering, statistics and reports (no messenger, no SQL)."""
