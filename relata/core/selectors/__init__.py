"""Reads. Every function takes the actor and returns only what it may see."""
