"""One acting user per role, for tests of writes and role-dependent reads."""

from models.access import Actor, Role

STAFF = Actor(subject="staff@test", name="测试职员", role=Role.STAFF)
PLANNER = Actor(subject="planner@test", name="测试规划员", role=Role.PLANNER)
BUREAU_GD = Actor(subject="bureau-gd@test", name="广东测试局", role=Role.BUREAU, province="440000")
BUREAU_ZJ = Actor(subject="bureau-zj@test", name="浙江测试局", role=Role.BUREAU, province="330000")
SUPERVISOR = Actor(subject="supervisor@test", name="测试监督员", role=Role.SUPERVISOR)
ADMIN = Actor(subject="admin@test", name="测试管理员", role=Role.ADMIN)
PUBLIC = Actor(subject="anonymous", name="", role=Role.PUBLIC)
EVERY_ROLE = (PUBLIC, STAFF, PLANNER, BUREAU_GD, SUPERVISOR, ADMIN)
