"""Build the ``CRM工具.xlam`` Excel add-in on any OS from text sources (``macros/``).

``ribbon`` writes customUI14.xml from the actions registry, ``ovba`` the VBA project streams
(MS-OVBA), ``cfb`` the compound file that holds them (MS-CFB), ``build`` the .xlam package.
"""
