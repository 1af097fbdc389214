"""tiji (提级): the 说“不”事项提级管理 policy as a WeCom / DingTalk bot."""
