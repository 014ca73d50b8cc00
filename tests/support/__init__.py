"""Helpers the test suite shares: real servers, not mocks."""
