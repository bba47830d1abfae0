; Inno Setup script for the Windows installer (setup.exe).
;
; UNTESTED: written for Inno Setup 6 from its documentation; it cannot be built or run
; on the Linux machine where the rest of the packaging is tested.
;
; Not run by hand: `python packaging\build.py` on Windows builds dist\plm-desktop\ with
; PyInstaller, then calls
;     iscc /DAppVersion=... /DAppName=... /DAppId=... /DAppExe=... /DPublisher=...
;          /DHomepage=... /DRepoRoot=... packaging\windows\plm-desktop.iss
; with every value taken from packaging/common.py, so the name, version and id are set
; in one place for all platforms. The bundle holds two executables (see the spec):
; "PLM Desktop.exe" opens the window (the menu entry starts it), plm-desktop.exe is the
; console command for --version, --self-test and the subcommands.

#ifndef AppVersion
  #error Run through packaging\build.py: AppVersion and the other names are passed with /D
#endif

[Setup]
AppId={{#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#Publisher}
AppPublisherURL={#Homepage}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no administrator needed); the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#RepoRoot}\dist
OutputBaseFilename=plm-desktop-{#AppVersion}-setup
SetupIconFile={#RepoRoot}\resources\icons\plm-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/fast
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#RepoRoot}\dist\plm-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
