"""Sign-in, roles, refused access and the users page."""

STRINGS: dict[str, dict[str, str]] = {
    "auth.sign_in": {"zh": "登录", "en": "Sign in"},
    "auth.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "auth.not_configured": {
        "zh": "未配置登录：仅开放公示页面。",
        "en": "Sign-in is not configured: only the public pages are open.",
    },
    "auth.demo_banner": {
        "zh": "演示环境：登录由本机演示身份提供方完成，账户均为虚构。",
        "en": "Demo: sign-in goes through a local demo identity provider; every account is fictitious.",
    },
    "auth.role.public": {"zh": "公众", "en": "Public"},
    "auth.role.staff": {"zh": "工作人员", "en": "Staff"},
    "auth.role.planner": {"zh": "抽查计划员", "en": "Planner"},
    "auth.role.bureau": {"zh": "地方局", "en": "Local bureau"},
    "auth.role.supervisor": {"zh": "监督审核员", "en": "Supervisor"},
    "auth.role.admin": {"zh": "系统管理员", "en": "Administrator"},
    "auth.perm.read_staff": {"zh": "查看内部页面", "en": "open the staff pages"},
    "auth.perm.read_personal": {"zh": "查看个人信息", "en": "see personal data"},
    "auth.perm.draw": {"zh": "抽取并提交抽查名单", "en": "draw and commit inspection targets"},
    "auth.perm.record_outcome": {"zh": "录入检查结果", "en": "record inspection outcomes"},
    "auth.perm.publish": {"zh": "公示检查结果", "en": "publish results"},
    "auth.perm.manage_inspectors": {"zh": "维护执法检查人员名录", "en": "maintain the inspector registry"},
    "auth.perm.manage_users": {"zh": "管理用户与角色", "en": "manage users and roles"},
    "auth.problem.no_role": {
        "zh": "您的账户尚未分配角色，目前只能查看公示内容。请联系系统管理员。",
        "en": "Your account has no role yet, so you see what the public sees. Ask an administrator.",
    },
    "auth.problem.expired": {
        "zh": "登录已超过有效期，目前只能查看公示内容。请退出登录后重新登录。",
        "en": "Your sign-in has expired; you see what the public sees. Sign out and sign in again.",
    },
    "auth.problem.inactive": {
        "zh": "您的账户已被停用，目前只能查看公示内容。",
        "en": "Your account has been deactivated; you see what the public sees.",
    },
    "auth.problem.no_province": {
        "zh": "地方局账户需要所属省份，您的账户没有有效的省份代码。请联系系统管理员。",
        "en": "A local-bureau account needs a province and yours has no valid province code. Ask an administrator.",
    },
    "auth.restricted.title": {"zh": "需要登录", "en": "Sign-in required"},
    "auth.restricted.title_signed_in": {"zh": "无权访问", "en": "Not permitted"},
    "auth.restricted.sign_in": {
        "zh": "此页面仅对登录的工作人员开放。请先登录。",
        "en": "This page is for signed-in staff. Please sign in.",
    },
    "auth.restricted.no_sign_in": {
        "zh": "此页面仅对登录的工作人员开放，但本系统尚未配置登录（见 README“登录”一节）。",
        "en": "This page is for signed-in staff, but sign-in is not configured here (see README, “Sign-in”).",
    },
    "auth.restricted.not_permitted": {
        "zh": "您的角色（{role}）无权{permission}。",
        "en": "Your role ({role}) may not {permission}.",
    },
    "auth.denied.permission": {
        "zh": "未保存：您的角色无权{permission}。",
        "en": "Not saved: your role may not {permission}.",
    },
    "auth.denied.province": {
        "zh": "未保存：您只能为本省的抽查对象{permission}，该对象属于{province}。",
        "en": "Not saved: you may {permission} only for your own province's targets; this one is in {province}.",
    },
    "auth.denied.no_province": {
        "zh": "未保存：您的地方局账户没有所属省份。",
        "en": "Not saved: your local-bureau account has no province.",
    },
    "auth.signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    # users page (admins)
    "nav.users": {"zh": "用户与角色", "en": "Users & roles"},
    "users.caption": {
        "zh": "用户表中的角色优先于身份提供方声明的角色；停用即撤销访问权限。每次修改写入审计日志。",
        "en": "A role in this table overrides the identity provider's role claim; deactivating withdraws "
        "access. Every change goes into the audit log.",
    },
    "users.subject": {"zh": "身份标识（sub）", "en": "Subject (sub)"},
    "users.display_name": {"zh": "显示名称", "en": "Display name"},
    "users.role": {"zh": "角色", "en": "Role"},
    "users.province": {"zh": "所属省份", "en": "Province"},
    "users.province_none": {"zh": "（全国）", "en": "(national)"},
    "users.active": {"zh": "启用", "en": "Active"},
    "users.updated_at": {"zh": "更新时间", "en": "Updated"},
    "users.updated_by": {"zh": "更新人", "en": "Updated by"},
    "users.save": {"zh": "保存", "en": "Save"},
    "users.form": {"zh": "授予或修改角色", "en": "Grant or change a role"},
    "users.saved": {"zh": "已保存 {subject}。", "en": "Saved {subject}."},
    "users.error.subject_invalid": {
        "zh": "身份标识不能为空，不超过 255 个字符，且不得含空格、控制字符或不可见字符。",
        "en": "The subject must be 1 to 255 characters, with no spaces, control or invisible characters.",
    },
    "users.error.role_unknown": {"zh": "未知角色。", "en": "Unknown role."},
    "users.error.name_invalid": {
        "zh": "显示名称含有控制字符或不可见字符。",
        "en": "The display name holds control or invisible characters.",
    },
    "users.error.province_unknown": {"zh": "未知省份代码。", "en": "Unknown province code."},
    "users.error.province_required": {
        "zh": "地方局角色必须选择所属省份。",
        "en": "A local-bureau role needs a province.",
    },
    "users.error.too_long": {
        "zh": "显示名称过长（最多 128 个字符）。",
        "en": "Display name too long (128 characters at most).",
    },
    "users.empty": {
        "zh": "用户表为空：所有角色来自身份提供方。",
        "en": "The users table is empty: every role comes from the identity provider.",
    },
    # audit trail
    "audit.col.at": {"zh": "时间（UTC）", "en": "When (UTC)"},
    "audit.col.actor": {"zh": "操作人", "en": "By"},
    "audit.col.action": {"zh": "操作", "en": "Action"},
    "audit.col.details": {"zh": "内容", "en": "Details"},
    "audit.col.hash": {"zh": "记录哈希", "en": "Entry hash"},
    "pub.chain_head": {
        "zh": "审计日志条目数：{n}，链头哈希 `{head}`。记下它，日后可核对日志是否被截断或改写（`regdash audit verify`）。",
        "en": "Audit log entries: {n}, head hash `{head}`. Note it down to check later that the log was "
        "neither cut short nor rewritten (`regdash audit verify`).",
    },
    "audit.trail": {"zh": "审计记录", "en": "Audit trail"},
    "vocab.audit_action.draw.open": {"zh": "开启抽取（公布承诺值）", "en": "Draw opened (commitment fixed)"},
    "vocab.audit_action.draw.attempt": {"zh": "抽取预览", "en": "Draw attempt (preview)"},
    "vocab.audit_action.draw.commit": {"zh": "提交抽取结果", "en": "Draw committed"},
    "vocab.audit_action.outcome.record": {"zh": "录入检查结果", "en": "Outcome recorded"},
    "vocab.audit_action.campaign.publish": {"zh": "公示", "en": "Published"},
    "vocab.audit_action.inspectors.import": {"zh": "导入执法检查人员", "en": "Inspectors imported"},
    "vocab.audit_action.inspector.add": {"zh": "新增执法检查人员", "en": "Inspector added"},
    "vocab.audit_action.user.set": {"zh": "设置用户角色", "en": "User role set"},
    "vocab.audit_action.certificates.expire": {"zh": "到期证书标记失效", "en": "Expired certificates marked"},
    "camp.record.not_permitted": {
        "zh": "您的角色不能录入检查结果（需地方局或监督审核员）。",
        "en": "Your role cannot record outcomes (a local bureau or a supervisor can).",
    },
    "plan.draw.not_permitted": {
        "zh": "只有抽查计划员可以进行正式抽取并提交。",
        "en": "Only planners can run and commit the live draw.",
    },
    "insp.entry.not_permitted": {
        "zh": "维护执法检查人员名录需要监督审核员或系统管理员角色。",
        "en": "Maintaining the inspector registry needs the supervisor or administrator role.",
    },
}
