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

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
