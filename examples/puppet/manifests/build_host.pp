# @summary A build host running its Docker daemon in a container.
#
# The dind image was pinned by a bot on the day 27.1.0-dind was published: it pinned the
# digest of the empty index Docker Hub serves before any architecture has been pushed.
class profile::build_host (
  String $dind_image = '127.0.0.1:5099/library/docker:27.1.0-dind@sha256:eb37f58646a901dc7727cf448cae36daaefaba79de33b5058dab79aa4c04aefb',
  Integer $max_jobs = 4,
) {
  include docker

  docker::run { 'dind':
    image            => $dind_image,
    privileged       => true,
    volumes          => ['/srv/docker:/var/lib/docker'],
    extra_parameters => ['--restart=always'],
  }
}
