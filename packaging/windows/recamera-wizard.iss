; Inno Setup 6 script: installer for the one-folder Windows app (dist\recamera-wizard).
; Compiled by packaging/build.py when iscc is found, with every path and the version passed as
; /D defines; the defaults below let it also be compiled by hand from packaging\windows.
;
; Per-user install by default (no administrator needed: workshop laptops are often managed),
; with the usual dialog to install for all users instead.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\recamera-wizard"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "recamera-wizard-setup"
#endif

#define AppName "reCamera Model Wizard"
#define AppExe "recamera-wizard.exe"
; A workshop kit opens with a double-click: the app gets --kit "<the file>" (wizard/cli/parser.py).
#define KitExtension ".rcwkit"
#define KitProgId "reCameraWizard.WorkshopKit"
#define KitTypeName "reCamera workshop kit"

[Setup]
; The AppId identifies the app across versions (upgrades, uninstall): never change it.
AppId={{EA1BC47A-BFF4-489A-984A-715EEBB0C363}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=reCamera Model Wizard developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; The bundled Qt and Python are 64-bit.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; lzma2/normal: nearly the size of ultra on Qt's DLLs, in a fraction of the CI time.
Compression=lzma2/normal
SolidCompression=yes
WizardStyle=modern
; Qt 6 itself needs Windows 10 or later.
MinVersion=10.0
CloseApplications=yes
; Explorer is told when the .rcwkit association is added or removed.
ChangesAssociations=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; Files of an older version that the new one no longer ships must not be loaded by accident.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; HKA: the current user's classes for a per-user install, the machine's for an install for all users.
Root: HKA; Subkey: "Software\Classes\{#KitExtension}"; ValueType: string; ValueName: ""; ValueData: "{#KitProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#KitExtension}\OpenWithProgids"; ValueType: string; ValueName: "{#KitProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#KitProgId}"; ValueType: string; ValueName: ""; ValueData: "{#KitTypeName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#KitProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#KitProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" --kit ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: "{#KitExtension}"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
