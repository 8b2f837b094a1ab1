"""Talking to partners: one pooled aiohttp client, partner URL checks."""
