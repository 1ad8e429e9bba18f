# What `make install` puts where, the man pages generated from the flags'
# own help text (help2man), and the Debian package (CPack), for
# tools/package. The layout is Debian's: /usr/sbin, /usr/bin,
# /lib/systemd/system, /etc/ringtftp.
include(GNUInstallDirs)

find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(man_dir ${PROJECT_BINARY_DIR}/man)
  set(ringtftpd_help ${PROJECT_SOURCE_DIR}/tools/debian/ringtftpd.h2m)
  # man NAME SECTION TARGET DESCRIPTION [extra help2man args...]
  function(ringtftp_man name section target description)
    set(out ${man_dir}/${name}.${section})
    add_custom_command(
      OUTPUT ${out}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${man_dir}
      COMMAND ${HELP2MAN} --no-info --section=${section}
              --name=${description} ${ARGN} --output=${out}
              $<TARGET_FILE:${target}>
      COMMAND gzip -9nf ${out}
      DEPENDS ${target} ${ringtftpd_help}
      COMMENT "Generating ${name}(${section}) from its --help")
    add_custom_target(man_${name} ALL DEPENDS ${out}.gz)
    install(FILES ${out}.gz
            DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endfunction()
  ringtftp_man(ringtftpd 8 ringtftpd "io_uring TFTP server"
               --include=${ringtftpd_help})
  ringtftp_man(ringtftp 1 ringtftp "TFTP client and load generator"
               --help-option=--helpfull)
  ringtftp_man(ringtftpd.conf 5 ringtftpd "configuration file of ringtftpd"
               --include=${PROJECT_SOURCE_DIR}/tools/debian/ringtftpd.conf.h2m)
endif()

install(TARGETS ringtftpd DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS ringtftp DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/tools/systemd/ringtftpd.socket
              ${PROJECT_SOURCE_DIR}/tools/systemd/ringtftpd.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/tools/etc/ringtftpd.conf
        DESTINATION /etc/ringtftp)
install(FILES ${PROJECT_SOURCE_DIR}/tools/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/changelog.gz
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/tools/debian/changelog
          > ${PROJECT_BINARY_DIR}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/tools/debian/changelog)
add_custom_target(debian_changelog ALL
  DEPENDS ${PROJECT_BINARY_DIR}/changelog.gz)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ringtftp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ringtftp maintainers <maintainers@ringtftp.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "fast TFTP server for board farms and PXE racks")
set(CPACK_PACKAGE_DESCRIPTION
    "ringtftpd serves a directory over TFTP with one io_uring reactor per core,
RFC 2347/2348/2349/7440 options, block-number rollover, IPv4 and IPv6,
socket activation, client ACLs and a per-client request rate. ringtftp
gets and puts files and drives verified load.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from dpkg-shlibdeps, not a hand-kept list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_PROVIDES "tftp-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/tools/debian/conffiles
    ${PROJECT_SOURCE_DIR}/tools/debian/postinst
    ${PROJECT_SOURCE_DIR}/tools/debian/prerm
    ${PROJECT_SOURCE_DIR}/tools/debian/postrm)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
